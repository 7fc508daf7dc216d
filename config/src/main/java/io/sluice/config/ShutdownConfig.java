package io.sluice.config;

import java.time.Duration;

/**
 * How the process stops on SIGTERM: it stops reading, lets every sink acknowledge what was read, commits offsets
 * and exits 0; a second signal, or the grace period running out, exits at once (offsets stay safe, as only
 * acknowledged events were ever committed).
 *
 * @param gracePeriod how long a stop may take (default 30s; keep it below Kubernetes'
 *                    {@code terminationGracePeriodSeconds})
 */
public record ShutdownConfig(Duration gracePeriod) {
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(30);
    public static final ShutdownConfig DEFAULT = new ShutdownConfig(null);

    public ShutdownConfig {
        gracePeriod = gracePeriod == null ? DEFAULT_GRACE_PERIOD : gracePeriod;
    }
}
