package dev.tollgate.gateway.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;

/**
 * Where a call's attributes are written: straight into the SERVER span being started (on every call: no sorted
 * {@code Attributes} copy for the SDK to copy again) or into an {@link AttributesBuilder} (the rare decision span).
 */
public interface AttributeSink {

    /** Sets one attribute; a null value sets nothing. */
    <T> AttributeSink put(AttributeKey<T> key, T value);

    static AttributeSink of(AttributesBuilder builder) {
        return new AttributeSink() {
            @Override
            public <T> AttributeSink put(AttributeKey<T> key, T value) {
                if (value != null) {
                    builder.put(key, value);
                }
                return this;
            }
        };
    }
}
