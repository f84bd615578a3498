package io.vectorshard.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The {@code VectorShardCluster} custom resource. The CRD in {@code crds/} is generated from this
 * class (and its spec and status) at build time; local mode reads the same YAML document, so
 * {@code vsc local up -f} and {@code kubectl apply -f} take one file.
 */
@Group(VectorShardCluster.GROUP)
@Version(VectorShardCluster.VERSION)
@Kind(VectorShardCluster.KIND)
@Plural("vectorshardclusters")
@Singular("vectorshardcluster")
@ShortNames("vsc")
@AdditionalPrinterColumn(name = "Shards", jsonPath = ".spec.shards", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyShards", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Epoch", jsonPath = ".status.epoch", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class VectorShardCluster extends CustomResource<VectorShardClusterSpec, VectorShardClusterStatus>
    implements Namespaced {
  public static final String GROUP = "vectorshard.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "VectorShardCluster";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  @Override
  protected VectorShardClusterSpec initSpec() {
    return new VectorShardClusterSpec();
  }
}
