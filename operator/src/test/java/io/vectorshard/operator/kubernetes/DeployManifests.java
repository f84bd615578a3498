package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** The objects of {@code deploy/operator.yaml}, the install manifest users apply. */
record DeployManifests(List<HasMetadata> objects) {
  static final Path FILE = Path.of("../deploy/operator.yaml");

  static DeployManifests load() {
    try {
      String yaml = Files.readString(FILE);
      return new DeployManifests(Arrays.stream(yaml.split("(?m)^---$")).filter(doc -> doc.contains("kind:"))
          .map(doc -> (HasMetadata) Serialization.unmarshal(doc)).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(FILE + " has no " + type.getSimpleName() + " " + name));
  }

  /** Whether some rule grants {@code verb} on {@code resource} (plural, optionally "/subresource") of {@code group}. */
  static boolean grants(List<PolicyRule> rules, String group, String resource, String verb) {
    Predicate<List<String>> any = values -> values.contains("*");
    return rules.stream().anyMatch(r -> (r.getApiGroups().contains(group) || any.test(r.getApiGroups()))
        && (r.getResources().contains(resource) || any.test(r.getResources()))
        && (r.getVerbs().contains(verb) || any.test(r.getVerbs())));
  }
}
