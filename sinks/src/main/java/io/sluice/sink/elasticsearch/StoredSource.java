package io.sluice.sink.elasticsearch;

import java.util.LinkedHashMap;

/**
 * A document's {@code _source} as read back for unchanged TOAST columns: field name to value, as the client's JSON
 * mapper reads it (decimals exact). A class of its own only so the client can be given a non-generic type to map to.
 */
final class StoredSource extends LinkedHashMap<String, Object> {
}
