package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/** How each shard's Redis runs. Local mode uses only {@code config} and ignores the Kubernetes fields. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RedisSpec {
  public static final String DEFAULT_IMAGE = "redis:8.0.2";

  @Default(DEFAULT_IMAGE)
  @JsonPropertyDescription("Redis 8 container image (vector sets are built into Redis 8).")
  private String image = DEFAULT_IMAGE;
  @JsonPropertyDescription("CPU and memory of each Redis container; requests of 250m CPU and 512Mi memory when unset.")
  private ResourceRequirements resources;
  @JsonPropertyDescription("Where each shard keeps its data. A persistent volume of 10Gi when unset.")
  private StorageSpec storage = new StorageSpec();
  @Min(0)
  @Max(5)
  @Default("0")
  @JsonPropertyDescription("Read replicas per shard (Redis REPLICAOF of the shard's primary). Routers use primaries only.")
  private int replicas = 0;
  @JsonPropertyDescription("Extra redis.conf directives, e.g. maxmemory: 2gb. Directives the operator manages are rejected.")
  private Map<String, String> config = new LinkedHashMap<>();
  @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
  @JsonPropertyDescription("Name of a Secret with the Redis password under the key `password`; the operator generates <name>-redis-auth when unset.")
  private String passwordSecret;

  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public ResourceRequirements getResources() { return resources; }
  public void setResources(ResourceRequirements resources) { this.resources = resources; }
  public StorageSpec getStorage() { return storage; }
  public void setStorage(StorageSpec storage) { this.storage = storage; }
  public int getReplicas() { return replicas; }
  public void setReplicas(int replicas) { this.replicas = replicas; }
  public Map<String, String> getConfig() { return config; }
  public void setConfig(Map<String, String> config) { this.config = config; }
  public String getPasswordSecret() { return passwordSecret; }
  public void setPasswordSecret(String passwordSecret) { this.passwordSecret = passwordSecret; }
}
