# syntax=docker/dockerfile:1
# The Sluice image: docker build -t sluice:0.1.0 .   (docs/container-image.md)

# Build stage: the shaded jar app/target/sluice.jar, built by Maven on JDK 17.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps downloaded dependencies between builds (BuildKit).
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl app -am package -DskipTests

# Runtime stage: a JRE, the jar, and an unprivileged user.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin sluice
COPY --from=build /src/app/target/sluice.jar /opt/sluice/sluice.jar
USER 10001:10001
WORKDIR /opt/sluice
# The admin endpoint (health, metrics, status); admin.address must be 0.0.0.0 for it to be reached from outside.
EXPOSE 7080
# java is PID 1, so SIGTERM reaches Sluice, which delivers what it read, commits offsets and exits.
# The heap follows the container's memory limit; JAVA_TOOL_OPTIONS adds or overrides JVM options.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75.0", "-jar", "/opt/sluice/sluice.jar"]
CMD ["run", "--config", "/etc/sluice/sluice.yaml"]
