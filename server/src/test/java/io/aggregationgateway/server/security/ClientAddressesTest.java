package io.aggregationgateway.server.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who the client is, behind trusted proxies or not. */
class ClientAddressesTest {
    private final ClientAddresses addresses = new ClientAddresses(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8")));

    @ParameterizedTest(name = "peer {0}, X-Forwarded-For \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
            "192.0.2.1 |                          | 192.0.2.1",
            "192.0.2.1 | 203.0.113.9              | 192.0.2.1",   // not a trusted proxy: its header is the client's word
            "10.1.2.3  |                          | 10.1.2.3",
            "10.1.2.3  | 203.0.113.9              | 203.0.113.9",
            "10.1.2.3  | 1.1.1.1, 203.0.113.9     | 203.0.113.9", // the leftmost entry is whatever the client sent
            "10.1.2.3  | 203.0.113.9, 10.9.9.9    | 203.0.113.9", // a second proxy appended its peer
            "10.1.2.3  | 10.7.7.7, 10.9.9.9       | 10.7.7.7",    // all proxies: as far as the chain goes
            "10.1.2.3  | 203.0.113.9:4711         | 203.0.113.9",
            "10.1.2.3  | [2001:db8::9]:4711       | 2001:db8:0:0:0:0:0:9",
            "10.1.2.3  | 1.1.1.1,unknown          | unknown",
            "fd00::1   | 2001:db8::9              | 2001:db8:0:0:0:0:0:9",
            "10.1.2.3  | ::ffff:203.0.113.9       | 203.0.113.9",
    })
    void theRightmostUntrustedHopIsTheClient(String peer, String forwardedFor, String client) throws Exception {
        List<String> headers = forwardedFor == null ? List.of() : List.of(forwardedFor);
        assertEquals(client, addresses.client(InetAddress.getByName(peer), headers));
    }

    @Test
    void severalHeadersReadAsOneListAndLongNamesAreCut() throws Exception {
        InetAddress proxy = InetAddress.getByName("10.0.0.1");
        assertEquals("198.51.100.2", addresses.client(proxy, List.of("203.0.113.9", "198.51.100.2")));
        String junk = "x".repeat(500);
        assertEquals(ClientAddresses.MAX_NAME, addresses.client(proxy, List.of(junk)).length());
    }

    @Test
    void cidrBlocks() throws Exception {
        assertTrue(Cidr.parse("192.168.0.0/16").contains(InetAddress.getByName("192.168.200.1")));
        assertFalse(Cidr.parse("192.168.0.0/16").contains(InetAddress.getByName("192.169.0.1")));
        assertTrue(Cidr.parse("192.168.7.9").contains(InetAddress.getByName("192.168.7.9")));
        assertFalse(Cidr.parse("192.168.7.9").contains(InetAddress.getByName("192.168.7.8")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8")));
        assertFalse(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("::1")), "IPv4 blocks hold no IPv6 address");
        assertEquals("10.0.0.0/8", Cidr.parse("10.20.30.40/8").toString());
        assertTrue(Arrays.equals(new byte[] {10, 0, 0, 0}, Cidr.parse("10.20.30.40/8").network()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "proxy.example | \"proxy.example\" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.168.1.7, fd00::/8)",
            "10.0.0.0/33   | \"10.0.0.0/33\": the prefix length must be 0 to 32",
            "10.0.0.0/x    | \"10.0.0.0/x\": the prefix length must be 0 to 32",
            "300.1.1.1     | \"300.1.1.1\" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.168.1.7, fd00::/8)",
    })
    void badBlocksSayWhatIsWrong(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text)).getMessage());
    }
}
