# syntax=docker/dockerfile:1
# Tollgate container image: multi-stage, the runtime stage is a JRE and runs as a non-root user.
# Build: docker build -t tollgate .
# Run:   docker run -p 8080:8080 -p 9090:9090 -e MCP_UPSTREAM=http://host.docker.internal:3001/mcp tollgate
# Every conf/gateway.yaml variable can be set with -e (TOLLGATE_PORT, TOLLGATE_ADMIN_PORT, MCP_UPSTREAM,
# TOLLGATE_ALLOWED_HOSTS, ...); mount your own configuration over /app/conf to replace it entirely.

# --- build stage: Maven + JDK 17 ---------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first: the dependency layer below stays cached until a pom changes.
COPY pom.xml .
COPY protocols/pom.xml protocols/
COPY policy/pom.xml policy/
COPY gateway/pom.xml gateway/
COPY load-tests/pom.xml load-tests/
# go-offline fetches most of what the build needs, not all of it (plugins resolve some dependencies only
# when they run, e.g. surefire's), and on some Maven versions it stops at the reactor's own modules: its
# failure is tolerated and the package step below fetches the rest. With BuildKit, a cache mount keeps
# ~/.m2 across builds even when a pom changes: RUN --mount=type=cache,target=/root/.m2 mvn ... (both RUNs).
RUN mvn -B -q -pl gateway -am -DskipTests dependency:go-offline || true
COPY protocols protocols
COPY policy policy
COPY gateway/src/main gateway/src/main
# -DskipTests also skips the gateway's npm install (skipNpm follows skipTests): no node needed here.
RUN mvn -B -q -pl gateway -am -DskipTests package
# The health check is compiled here: a JRE has no compiler and cannot run a .java file directly.
COPY docker/Healthcheck.java docker/
RUN javac -d docker/classes docker/Healthcheck.java

# --- runtime stage: JRE only, non-root ---------------------------------------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 tollgate \
 && useradd --system --uid 10001 --gid tollgate --home-dir /app --shell /usr/sbin/nologin tollgate
WORKDIR /app
COPY --from=build /src/gateway/target/tollgate.jar /app/tollgate.jar
COPY conf /app/conf
COPY --from=build /src/docker/classes /app/healthcheck
# The audit log must be writable by the non-root user; mount a volume here to keep it.
RUN mkdir /app/audit && chown 10001:10001 /app/audit
VOLUME /app/audit
USER 10001:10001
# In a container the listeners must bind every interface; conf/gateway.yaml reads these variables.
# The admin port (/healthz /readyz /metrics, and /explain /reload) binds every interface too, so that
# orchestrator probes reach it: publish 9090 only to trusted networks, or set TOLLGATE_ADMIN_HOST=127.0.0.1
# (the HEALTHCHECK below still works, it connects to 127.0.0.1). Off loopback, POST /explain and /reload
# are refused until TOLLGATE_ADMIN_TOKEN is set (then: Authorization: Bearer <token>). The admin Host
# allow-list is opened so Prometheus can scrape /metrics by pod IP; /healthz and /readyz never check Host.
ENV TOLLGATE_HOST=0.0.0.0 \
    TOLLGATE_ADMIN_HOST=0.0.0.0 \
    TOLLGATE_PORT=8080 \
    TOLLGATE_ADMIN_PORT=9090 \
    TOLLGATE_ALLOWED_HOSTS='["*"]' \
    TOLLGATE_ADMIN_ALLOWED_HOSTS='["*"]' \
    TOLLGATE_AUDIT_DIR=/app/audit
# Clients reach a container by service name, so the Host allow-list is opened; the Origin check (what a
# DNS-rebinding browser page cannot fake) still applies. Set TOLLGATE_ALLOWED_HOSTS to your names to close it.
EXPOSE 8080 9090
# Liveness without curl in the image: the JDK's own HTTP client against /healthz on the admin port
# (a small, short-lived JVM: C1 only, serial GC, 32 MiB heap).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", "/app/healthcheck", "Healthcheck"]
ENTRYPOINT ["java", "-XX:+UseContainerSupport", "-XX:MaxRAMPercentage=75", "-jar", "/app/tollgate.jar"]
CMD ["run", "--config", "/app/conf/gateway.yaml"]
