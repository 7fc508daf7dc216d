package io.sluice.bench.env;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcFilesTest {

    @Test
    void cpuTicksAreUserPlusSystemTime() {
        String stat = "27965 (java) S 27964 27961 19128 0 -1 4194304 220577 1298 4 1 2551 113 0 0 20 0 29 0 1690648"
                + " 9198456832 141622 18446744073709551615";

        assertThat(ProcFiles.cpuTicks(stat)).isEqualTo(2551 + 113);
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String stat = "42 (a (b) c) R 1 1 1 0 -1 0 0 0 0 0 70 30 0 0 20 0 1 0 5 100 10 1";

        assertThat(ProcFiles.cpuTicks(stat)).isEqualTo(100);
    }

    @Test
    void peakResidentSetComesFromVmHwmInKibibytes() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  566700 kB\nVmRSS:\t  500000 kB\n";

        assertThat(ProcFiles.peakRssBytes(status)).isEqualTo(566_700L * 1024);
    }

    @Test
    void aProcessWithoutMemoryHasNoPeak() {
        assertThat(ProcFiles.peakRssBytes("Name:\tjava\nState:\tZ (zombie)\n")).isEqualTo(-1);
    }
}
