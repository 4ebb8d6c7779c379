package io.requestflow.topology;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads {@code topology.yaml}; a typo in a key is an error that names the key, not a silent default. */
public final class TopologyLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private TopologyLoader() {}

    /** The topology from {@code file}, or the built-in defaults when the file is null or absent. */
    /** A topology from YAML text ({@code origin} names it in errors); empty text is the built-in defaults. */
    public static Topology parse(String yaml, String origin) {
        try {
            Topology t = yaml.isBlank() ? null : YAML.readValue(yaml, Topology.class);
            return t == null ? new Topology() : t;
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(origin + ": unknown setting '" + e.getPropertyName() + "' at "
                    + e.getPathReference() + "; known settings are " + e.getKnownPropertyIds(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + ": cannot read the topology: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    public static Topology load(Path file, boolean mustExist) {
        if (file == null || !Files.exists(file)) {
            if (mustExist) throw new IllegalArgumentException("config file " + file + " does not exist");
            return new Topology();
        }
        try {
            Topology t = YAML.readValue(file.toFile(), Topology.class);
            return t == null ? new Topology() : t;
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": unknown setting '" + e.getPropertyName() + "' at "
                    + e.getPathReference() + "; known settings are " + e.getKnownPropertyIds(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the topology: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
