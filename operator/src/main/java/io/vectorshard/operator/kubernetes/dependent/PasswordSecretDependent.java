package io.vectorshard.operator.kubernetes.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.operator.kubernetes.model.PasswordSecret;

/**
 * The generated password Secret. Create-only: the password is random, so a desired state recomputed
 * on every reconcile must never overwrite the one the shards already use. Created with a plain
 * create, not server-side apply (a PATCH), so the ClusterRole needs no patch rights on Secrets.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterResources.MANAGED_SELECTOR),
    useSSA = BooleanWithUndefined.FALSE)
public class PasswordSecretDependent extends KubernetesDependentResource<Secret, VectorShardCluster>
    implements Creator<Secret, VectorShardCluster>, GarbageCollected<VectorShardCluster> {

  @Override
  protected Secret desired(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    return PasswordSecret.desired(vsc, ShardCredentials.generatePassword());
  }

  /** Only when the spec names no Secret of its own. */
  public static class Generated implements Condition<Secret, VectorShardCluster> {
    @Override
    public boolean isMet(DependentResource<Secret, VectorShardCluster> dependent, VectorShardCluster vsc,
        Context<VectorShardCluster> context) {
      return vsc.getSpec().getRedis().getPasswordSecret() == null;
    }
  }
}
