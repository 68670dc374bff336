package dev.tollgate.gateway.config;

/** The application protocol a route speaks; decides how bodies are classified and streams watched. */
public enum Protocol {
    MCP("mcp"),
    A2A("a2a");

    private final String yamlName;

    Protocol(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }
}
