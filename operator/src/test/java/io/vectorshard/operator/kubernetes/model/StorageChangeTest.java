package io.vectorshard.operator.kubernetes.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.vectorshard.api.StorageSpec;
import io.vectorshard.api.VectorShardCluster;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Which storage edits an existing shard's StatefulSet cannot take, from the builders' own output.
 * The real API server's refusal of such an update is tested in VectorShardOperatorTest.
 */
class StorageChangeTest {
  private static StatefulSet shard(Consumer<StorageSpec> storage) {
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName("rag");
    vsc.getMetadata().setNamespace("search");
    vsc.getSpec().getVectors().setDimensions(4);
    storage.accept(vsc.getSpec().getRedis().getStorage());
    return ShardStatefulSet.desired(vsc, 0, "cluster.local");
  }

  @Test
  void theSameAmountWrittenInAnotherUnitIsNoChange() {
    assertThat(StorageChange.refused(shard(s -> s.setSize("1Gi")), shard(s -> s.setSize("1024Mi")))).isEmpty();
    assertThat(StorageChange.refused(shard(s -> s.setEphemeral(true)), shard(s -> s.setEphemeral(true)))).isEmpty();
  }

  @Test
  void aDifferentSizeIsRefusedNamingBothSizes() {
    assertThat(StorageChange.refused(shard(s -> s.setSize("1Gi")), shard(s -> s.setSize("2Gi"))))
        .hasValue("rag-shard-0 has a 1Gi volume of the default StorageClass, the spec asks for a 2Gi volume of the default StorageClass");
  }

  @Test
  void aDifferentStorageClassIsRefused() {
    assertThat(StorageChange.refused(shard(s -> {}), shard(s -> s.setStorageClassName("fast-ssd"))))
        .hasValueSatisfying(why -> assertThat(why).endsWith("the spec asks for a 10Gi volume of StorageClass fast-ssd"));
  }

  @Test
  void switchingBetweenVolumesAndEphemeralStorageIsRefusedBothWays() {
    assertThat(StorageChange.refused(shard(s -> {}), shard(s -> s.setEphemeral(true))))
        .hasValue("rag-shard-0 has a 10Gi volume of the default StorageClass, the spec asks for ephemeral storage");
    assertThat(StorageChange.refused(shard(s -> s.setEphemeral(true)), shard(s -> {})))
        .hasValue("rag-shard-0 has ephemeral storage, the spec asks for a 10Gi volume of the default StorageClass");
  }
}
