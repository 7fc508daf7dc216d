package io.sluice.bench.env;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapFiguresTest {

    @Test
    void peakIsTheLargestOccupancyBeforeACollection() {
        String log = """
                [0.006s][info][gc] Using G1
                [0.912s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(256M) 2.345ms
                [2.100s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 1G->40M(1200M) 9.1ms
                [3.500s][info][gc] GC(2) Pause Young (Normal) (G1 Evacuation Pause) 153600K->41M(1200M) 4.0ms
                """;

        assertThat(HeapFigures.peakBeforeCollection(log)).isEqualTo(1L << 30);
    }

    @Test
    void aLogWithoutCollectionsHasNoPeak() {
        assertThat(HeapFigures.peakBeforeCollection("[0.006s][info][gc] Using G1\n")).isEqualTo(-1);
    }

    @Test
    void heapInUseOfG1ComesFromTheHeapLine() {
        String info = """
                27965:
                 garbage-first heap   total 663552K, used 127043K [0x0000000687400000, 0x0000000800000000)
                  region size 4096K, 6 young (24576K), 2 survivors (8192K)
                 Metaspace       used 38338K, committed 38720K, reserved 1114112K
                  class space    used 4245K, committed 4416K, reserved 1048576K
                """;

        assertThat(HeapFigures.usedFromHeapInfo(info)).isEqualTo(127_043L * 1024);
    }

    @Test
    void heapInUseOfAGenerationalCollectorIsTheSumOfItsGenerations() {
        String info = """
                1234:
                 def new generation   total 9792K, used 3712K [0x00000000fc000000, 0x00000000fca90000)
                  eden space 8704K,  42% used [0x00000000fc000000, 0x00000000fc3a0000)
                 tenured generation   total 21888K, used 1000K [0x00000000fd550000, 0x00000000feab0000)
                 Metaspace       used 800K, committed 900K, reserved 1056768K
                """;

        assertThat(HeapFigures.usedFromHeapInfo(info)).isEqualTo((3712L + 1000L) * 1024);
    }
}
