package io.sluice.it.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.it.support.LocalRedis.AclUser;
import io.sluice.it.support.LocalRedis.Options;
import io.sluice.it.support.LocalRedis.Persistence;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

class LocalRedisIT {

    @Test
    void appendOnlyFileKeepsAcknowledgedWritesAcrossARestart() {
        try (LocalRedis redis = LocalRedis.start(Options.DEFAULT.withPersistence(Persistence.APPEND_ONLY))) {
            try (RedisClient client = client(redis, null, null)) {
                client.set("kept", "yes");
            }

            redis.restart();

            try (RedisClient client = client(redis, null, null)) {
                assertThat(client.get("kept")).isEqualTo("yes");
            }
        }
    }

    @Test
    void withoutPersistenceARestartComesBackEmpty() {
        try (LocalRedis redis = LocalRedis.start()) {
            try (RedisClient client = client(redis, null, null)) {
                client.set("lost", "yes");
            }
            int port = redis.port();

            redis.restart();

            assertThat(redis.port()).isEqualTo(port);
            try (RedisClient client = client(redis, null, null)) {
                assertThat(client.get("lost")).isNull();
            }
        }
    }

    @Test
    void passwordAndAclUsersAreEnforced() {
        Options options = Options.DEFAULT.withPassword("admin secret")
                .withUser(new AclUser("cache", "cache secret", "~orders:* +@all"));
        try (LocalRedis redis = LocalRedis.start(options)) {
            try (RedisClient admin = client(redis, null, "admin secret")) {
                admin.set("anything", "1");
            }
            try (RedisClient anonymous = client(redis, null, null)) {
                assertThatThrownBy(() -> anonymous.get("anything")).isInstanceOf(JedisDataException.class)
                        .hasMessageContaining("NOAUTH");
            }
            try (RedisClient cache = client(redis, "cache", "cache secret")) {
                cache.set("orders:1", "x");
                assertThatThrownBy(() -> cache.set("users:1", "x")).isInstanceOf(JedisAccessControlException.class)
                        .hasMessageContaining("NOPERM");
            }
        }
    }

    @Test
    void stoppedAndKilledServersRefuseConnectionsAndCloseDeletesTheData() {
        LocalRedis redis = LocalRedis.start();
        try {
            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            try (RedisClient client = client(redis, null, null)) {
                assertThatThrownBy(client::ping).isInstanceOf(JedisConnectionException.class);
            }
            redis.restart();
            redis.kill();
            assertThat(redis.isRunning()).isFalse();
            redis.restart();
            assertThat(redis.isRunning()).isTrue();
        } finally {
            redis.close();
        }
        redis.close();
        assertThat(Files.exists(redis.logFile().getParent())).isFalse();
    }

    @Test
    void embeddedBinaryRunsWhetherOrNotTheMachineHasRedis() {
        try (LocalRedis redis = LocalRedis.start(RedisBinaries.EMBEDDED, Options.DEFAULT);
                RedisClient client = client(redis, null, null)) {
            assertThat(redis.binaries()).isEqualTo(RedisBinaries.EMBEDDED);
            assertThat(client.info("server")).contains("redis_version:6.2");
        }
    }

    private static RedisClient client(LocalRedis redis, String user, String password) {
        return RedisClient.builder().hostAndPort(redis.host(), redis.port())
                .clientConfig(DefaultJedisClientConfig.builder().user(user).password(password).build())
                .build();
    }
}
