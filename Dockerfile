# syntax=docker/dockerfile:1
# Build: docker build -t tollgate .
# Run:   docker run -p 8080:8080 -p 9090:9090 -e MCP_UPSTREAM=http://host.docker.internal:3001/mcp tollgate

# --- build stage: Maven + JDK 17 ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first, so the dependency layer is cached until a pom changes.
COPY pom.xml .
COPY protocols/pom.xml protocols/
COPY policy/pom.xml policy/
COPY gateway/pom.xml gateway/
COPY load-tests/pom.xml load-tests/
RUN mvn -B -q -pl gateway -am -DskipTests -DskipNpm=true dependency:go-offline || true
COPY protocols protocols
COPY policy policy
COPY gateway/src/main gateway/src/main
RUN mvn -B -q -pl gateway -am -DskipTests package
# The JRE cannot run a .java file (no compiler), so the health check is compiled here.
COPY docker/Healthcheck.java docker/
RUN javac -d docker/classes docker/Healthcheck.java

# --- runtime stage: JRE only, non-root ---
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 tollgate \
 && useradd --system --uid 10001 --gid tollgate --home-dir /app --shell /usr/sbin/nologin tollgate
WORKDIR /app
COPY --from=build /src/gateway/target/tollgate.jar /app/tollgate.jar
COPY conf /app/conf
COPY --from=build /src/docker/classes /app/healthcheck
USER 10001:10001
# In a container the listeners must bind all interfaces; conf/gateway.yaml reads these variables.
ENV TOLLGATE_HOST=0.0.0.0 \
    TOLLGATE_ADMIN_HOST=0.0.0.0 \
    TOLLGATE_PORT=8080 \
    TOLLGATE_ADMIN_PORT=9090 \
    TOLLGATE_ALLOWED_HOSTS='["*"]'
# Clients reach a container by service name, so the Host allow-list is opened; the Origin check (what a
# DNS-rebinding browser page cannot fake) still applies. Set TOLLGATE_ALLOWED_HOSTS to your names to close it.
EXPOSE 8080 9090
# Liveness without curl in the image: the JDK's own HTTP client against /healthz on the admin port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-cp", "/app/healthcheck", "Healthcheck"]
ENTRYPOINT ["java", "-XX:+UseContainerSupport", "-XX:MaxRAMPercentage=75", "-jar", "/app/tollgate.jar"]
CMD ["run", "--config", "/app/conf/gateway.yaml"]
