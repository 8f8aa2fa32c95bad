package io.aggregationgateway.server;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** {@link Main#configureLogging}: the JDK's default logging, at the gateway's level. */
class MainLoggingTest {
    @Test
    void theLevelAppliesToTheRootLoggerAndEachOfItsHandlersWhichKeepTheJdkFormat() {
        Logger root = Logger.getLogger("");
        Level rootBefore = root.getLevel();
        Handler[] handlers = root.getHandlers();
        Level[] handlersBefore = new Level[handlers.length];
        for (int i = 0; i < handlers.length; i++) {
            handlersBefore[i] = handlers[i].getLevel();
        }
        try {
            Main.configureLogging(Level.WARNING);
            assertEquals(Level.WARNING, root.getLevel());
            assertFalse(root.getHandlers().length == 0, "the JDK's console handler");
            for (Handler handler : root.getHandlers()) {
                assertEquals(Level.WARNING, handler.getLevel(), handler.toString());
            }
            // the JDK's console handler; a server started earlier in this JVM may have added Helidon's own beside it
            Handler console = Arrays.stream(root.getHandlers()).filter(ConsoleHandler.class::isInstance).findFirst()
                    .orElseThrow(() -> new AssertionError("no console handler: " + Arrays.toString(root.getHandlers())));
            assertInstanceOf(SimpleFormatter.class, console.getFormatter());

            Main.configureLogging(Level.FINE);
            assertEquals(Level.FINE, root.getLevel());
            assertEquals(Level.FINE, console.getLevel());
        } finally {
            root.setLevel(rootBefore);
            for (int i = 0; i < handlers.length; i++) {
                handlers[i].setLevel(handlersBefore[i]);
            }
        }
    }
}
