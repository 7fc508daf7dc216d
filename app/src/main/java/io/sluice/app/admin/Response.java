package io.sluice.app.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the admin endpoint answers to one request. */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    Response(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    Response withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(more));
    }
}
