package io.aggregationgateway.server.lifecycle;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When the whole aggregate is cleared: a cron expression in a time zone. Five fields are Unix
 * cron ({@code *}{@code /5 * * * *}); six or seven are Quartz with seconds first
 * ({@code *}{@code /10 * * * * ?}).
 */
public final class ResetSchedule {
    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime executionTime;

    private ResetSchedule(String expression, ZoneId zone, ExecutionTime executionTime) {
        this.expression = expression;
        this.zone = zone;
        this.executionTime = executionTime;
    }

    /**
     * @throws IllegalArgumentException with a message saying what is wrong with the expression
     */
    public static ResetSchedule parse(String expression, ZoneId zone) {
        String trimmed = expression.trim();
        int fields = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
        CronType type = switch (fields) {
            case 5 -> CronType.UNIX;
            case 6, 7 -> CronType.QUARTZ;
            default -> throw new IllegalArgumentException("expected 5 fields (Unix cron: minute hour day month weekday)"
                    + " or 6-7 (Quartz: second minute hour day month weekday [year]), found " + fields);
        };
        Cron cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type)).parse(trimmed).validate();
        return new ResetSchedule(trimmed, zone, ExecutionTime.forCron(cron));
    }

    /** The first reset strictly after {@code after}, if the expression ever fires again. */
    public Optional<Instant> nextAfter(Instant after) {
        return executionTime.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant);
    }

    public String expression() {
        return expression;
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }
}
