package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/**
 * A shard's storage: a PersistentVolumeClaim per Redis pod (AOF with an RDB preamble), or an
 * emptyDir with persistence off, for caches that can be rebuilt.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
  /** What happens to a shard's claims when the cluster is deleted or the shard scaled away. */
  public enum Retention { Retain, Delete }

  public static final String DEFAULT_SIZE = "10Gi";

  @Default("false")
  @JsonPropertyDescription("No volume and no persistence: data is lost when a pod restarts.")
  private boolean ephemeral = false;
  @Default(DEFAULT_SIZE)
  @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
  @JsonPropertyDescription("Size of each shard's volume.")
  private String size = DEFAULT_SIZE;
  @JsonPropertyDescription("StorageClass of the volumes; the cluster's default class when unset.")
  private String storageClassName;
  @Default("Retain")
  @JsonPropertyDescription("Retain keeps the volumes when the cluster is deleted or shards are removed; Delete removes them.")
  private Retention retention = Retention.Retain;

  public boolean isEphemeral() { return ephemeral; }
  public void setEphemeral(boolean ephemeral) { this.ephemeral = ephemeral; }
  public String getSize() { return size; }
  public void setSize(String size) { this.size = size; }
  public String getStorageClassName() { return storageClassName; }
  public void setStorageClassName(String storageClassName) { this.storageClassName = storageClassName; }
  public Retention getRetention() { return retention; }
  public void setRetention(Retention retention) { this.retention = retention; }
}
