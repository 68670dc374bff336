package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * What to tell an operator when the gateway cannot listen: which configured address is taken and which setting moves
 * it, instead of Netty's stack trace (the exception names neither the port nor the listener). Each configured port is
 * probed once the failed start has released the ones it did bind.
 */
final class BindFailure {

    private BindFailure() {
    }

    /** True when a start failed because an address could not be bound. */
    static boolean isBindFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** The message: each address in use, with the setting that changes it, in the given configuration file. */
    static String describe(GatewayConfig config, String file, Throwable failure) {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < config.listeners().size(); i++) {
            var listener = config.listeners().get(i);
            if (inUse(listener.host(), listener.port())) {
                taken.add("listener " + listener.name() + " on " + listener.host() + ":" + listener.port() + " (listeners[" + i + "].port)");
            }
        }
        if (inUse(config.admin().host(), config.admin().port())) {
            taken.add("admin on " + config.admin().host() + ":" + config.admin().port() + " (admin.port)");
        }
        String root = failure.getMessage();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                root = t.getMessage();
            }
        }
        if (taken.isEmpty()) {
            return "tollgate: cannot listen: " + root + " (check the listeners' and admin's host and port in " + file + ")";
        }
        return "tollgate: cannot listen: " + String.join(", ", taken) + ": the address is in use by another process "
                + "(find it with: ss -ltnp 'sport = :" + firstPort(taken) + "'). Stop it, or change the port in " + file
                + " (0 picks a free one).";
    }

    private static String firstPort(List<String> taken) {
        String first = taken.get(0);
        return first.replaceAll(".*:(\\d+) \\(.*", "$1");
    }

    private static boolean inUse(String host, int port) {
        if (port == 0) {
            return false;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
