package io.sluice.it.offsets;

import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import io.sluice.offsets.file.FileOffsetStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Saves offsets with growing LSNs to a {@link FileOffsetStore} as fast as it can until it is killed, for
 * {@link FileOffsetStoreCrashIT}. Arguments: the offsets file, the pipeline, the first LSN. Prints each LSN on its
 * own line once its save has returned.
 */
public final class FileOffsetSaverMain {

    private FileOffsetSaverMain() {
    }

    public static void main(String[] args) throws Exception {
        FileOffsetStore store = new FileOffsetStore(Path.of(args[0]), Clock.systemUTC());
        PipelineId pipeline = new PipelineId(args[1]);
        PrintStream out = System.out;
        for (long lsn = Long.parseLong(args[2]); ; lsn++) {
            store.save(pipeline, offsets(pipeline, lsn));
            out.println(lsn);
            out.flush();
        }
    }

    static SourceOffsets offsets(PipelineId pipeline, long lsn) {
        return new SourceOffsets(Map.of("[\"sluice-" + pipeline + "\",{\"server\":\"" + pipeline + "\"}]",
                "{\"lsn\":" + lsn + ",\"lsn_proc\":" + lsn + "}"));
    }
}
