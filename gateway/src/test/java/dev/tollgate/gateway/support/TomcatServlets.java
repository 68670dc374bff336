package dev.tollgate.gateway.support;

import jakarta.servlet.Servlet;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;

/** Mounting a servlet (an MCP SDK transport) in an embedded Tomcat: async, loaded at start, under the given patterns. */
public final class TomcatServlets {

    private TomcatServlets() {
    }

    public static void mount(Context context, String name, Servlet servlet, String... patterns) {
        Wrapper wrapper = context.createWrapper();
        wrapper.setName(name);
        wrapper.setServlet(servlet);
        wrapper.setAsyncSupported(true);
        wrapper.setLoadOnStartup(1);
        context.addChild(wrapper);
        for (String pattern : patterns) {
            context.addServletMappingDecoded(pattern, name);
        }
    }
}
