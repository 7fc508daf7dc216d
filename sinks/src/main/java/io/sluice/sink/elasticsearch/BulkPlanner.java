package io.sluice.sink.elasticsearch;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a run of document actions (no truncates) into bulk requests that may be sent in parallel without breaking
 * any document's order.
 *
 * <p>Each document is assigned to one of {@code lanes} by its id's hash; a lane's actions keep the batch's order and
 * are cut into requests of at most {@code maxActions} actions and about {@code maxBytes} bytes (an action larger than
 * that travels alone). The sink sends one lane's requests one after the other and the lanes side by side, so at most
 * {@code lanes} requests are in flight and a document's actions always reach Elasticsearch in order: within one
 * request Elasticsearch applies the operations of a document in request order, as they all go to its shard.
 */
final class BulkPlanner {
    private final int maxActions;
    private final int maxBytes;
    private final int lanes;

    BulkPlanner(int maxActions, int maxBytes, int lanes) {
        if (maxActions < 1 || maxBytes < 1 || lanes < 1) {
            throw new IllegalArgumentException("maxActions, maxBytes and lanes must be at least 1");
        }
        this.maxActions = maxActions;
        this.maxBytes = maxBytes;
        this.lanes = lanes;
    }

    /** Per lane that has work, its requests in sending order. */
    List<List<List<BulkAction>>> plan(List<BulkAction> run) {
        List<List<BulkAction>> byLane = new ArrayList<>(lanes);
        for (int i = 0; i < lanes; i++) {
            byLane.add(new ArrayList<>());
        }
        for (BulkAction action : run) {
            if (action.kind() == BulkAction.Kind.TRUNCATE || action.kind() == BulkAction.Kind.REJECT) {
                throw new IllegalArgumentException("only index and delete actions go into bulk requests");
            }
            byLane.get(laneOf(action.document())).add(action);
        }
        List<List<List<BulkAction>>> plan = new ArrayList<>();
        for (List<BulkAction> lane : byLane) {
            if (!lane.isEmpty()) {
                plan.add(cut(lane));
            }
        }
        return plan;
    }

    private int laneOf(DocumentRef document) {
        return Math.floorMod(document.hashCode(), lanes);
    }

    private List<List<BulkAction>> cut(List<BulkAction> lane) {
        List<List<BulkAction>> requests = new ArrayList<>();
        List<BulkAction> request = new ArrayList<>();
        long bytes = 0;
        for (BulkAction action : lane) {
            int size = action.estimatedBytes();
            if (!request.isEmpty() && (request.size() >= maxActions || bytes + size > maxBytes)) {
                requests.add(request);
                request = new ArrayList<>();
                bytes = 0;
            }
            request.add(action);
            bytes += size;
        }
        requests.add(request);
        return requests;
    }
}
