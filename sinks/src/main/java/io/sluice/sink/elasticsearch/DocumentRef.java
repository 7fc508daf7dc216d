package io.sluice.sink.elasticsearch;

/** One document: its index and id. Events of one document must reach Elasticsearch in order. */
record DocumentRef(String index, String id) {
}
