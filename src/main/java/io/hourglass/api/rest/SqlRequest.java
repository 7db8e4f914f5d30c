package io.hourglass.api.rest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** A statement and its parameters, one per {@code ?} in order. */
public record SqlRequest(String sql, List<JsonNode> params) {}
