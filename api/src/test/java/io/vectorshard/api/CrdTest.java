package io.vectorshard.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checked-in CRD is the generated one, and the schema says what the Java model does. */
class CrdTest {
  static final String FILE = "vectorshardclusters.vectorshard.io-v1.yml";
  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8", FILE);
  static final Path CHECKED_IN = Path.of("../crds", FILE);

  @Test
  void checkedInCrdIsTheGeneratedOne() throws IOException {
    assertThat(Files.readString(CHECKED_IN))
        .as("crds/%s is out of date; regenerate it with: ./mvnw -pl api process-classes && cp api/%s crds/", FILE, GENERATED)
        .isEqualTo(Files.readString(GENERATED));
  }

  @Test
  void resourceHasTheNamesSubresourcesAndColumnsKubectlUses() throws IOException {
    CustomResourceDefinition crd = crd();
    assertThat(crd.getSpec().getGroup()).isEqualTo("vectorshard.io");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("vsc");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
    assertThat(v.getName()).isEqualTo("v1alpha1");
    assertThat(v.getSubresources().getStatus()).isNotNull();
    // kubectl scale vsc/rag --replicas=6 writes spec.shards.
    assertThat(v.getSubresources().getScale().getSpecReplicasPath()).isEqualTo(".spec.shards");
    assertThat(v.getSubresources().getScale().getStatusReplicasPath()).isEqualTo(".status.readyShards");
    assertThat(v.getAdditionalPrinterColumns()).extracting(c -> c.getName())
        .containsExactlyInAnyOrder("Shards", "Ready", "Epoch", "Phase", "Age");
  }

  @Test
  void schemaBoundsTheFieldsTheContractBounds() throws IOException {
    JSONSchemaProps spec = specSchema();
    assertThat(spec.getRequired()).contains("vectors");
    assertThat(spec.getProperties().get("shards").getMinimum()).isEqualTo(1.0);
    JSONSchemaProps dims = spec.getProperties().get("vectors").getProperties().get("dimensions");
    assertThat(dims.getMinimum()).isEqualTo(1.0);
    assertThat(dims.getMaximum()).isEqualTo(32768.0);
    JSONSchemaProps pinned = spec.getProperties().get("placement").getProperties().get("pinned").getItems().getSchema();
    assertThat(pinned.getProperties().get("tenant").getPattern()).isEqualTo(PlacementSpec.TENANT_PATTERN);
    assertThat(spec.getProperties().get("vectors").getProperties().get("quantization").getEnum())
        .extracting(JsonNode::asText).containsExactlyInAnyOrder("NOQUANT", "Q8", "BIN");
  }

  /**
   * Defaults are declared twice (field initializers for local mode, {@code @Default} for the API
   * server); a default changed in one place only would make the two run modes disagree.
   */
  @Test
  void schemaDefaultsEqualTheJavaDefaults() throws IOException {
    JsonNode javaDefaults = new ObjectMapper().valueToTree(new VectorShardClusterSpec());
    List<String> compared = new ArrayList<>();
    compareDefaults(specSchema(), javaDefaults, "spec", compared);
    assertThat(compared).contains("spec.shards", "spec.vectors.quantization", "spec.redis.image",
        "spec.redis.storage.size", "spec.router.port");
  }

  private static void compareDefaults(JSONSchemaProps schema, JsonNode value, String path, List<String> compared) {
    if (schema.getDefault() != null) {
      assertThat(value).as(path).isNotNull();
      assertThat(value.asText()).as("default of %s", path).isEqualTo(schema.getDefault().asText());
      compared.add(path);
    }
    if (schema.getProperties() != null && value != null) {
      for (Map.Entry<String, JSONSchemaProps> p : schema.getProperties().entrySet()) {
        compareDefaults(p.getValue(), value.get(p.getKey()), path + "." + p.getKey(), compared);
      }
    }
  }

  private static JSONSchemaProps specSchema() throws IOException {
    return crd().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
  }

  private static CustomResourceDefinition crd() throws IOException {
    return Serialization.unmarshal(Files.readString(GENERATED), CustomResourceDefinition.class);
  }
}
