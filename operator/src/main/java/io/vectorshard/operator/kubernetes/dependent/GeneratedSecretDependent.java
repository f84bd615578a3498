package io.vectorshard.operator.kubernetes.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.operator.kubernetes.model.PasswordSecret;

/**
 * A generated password Secret. Create-only: the password is random, so a desired state recomputed
 * on every reconcile must never overwrite the one the shards already use. Created with a plain
 * create, not server-side apply (a PATCH), so the ClusterRole needs no patch rights on Secrets.
 * Each subclass names its Secret, which the workflow tells them apart by, and carries the
 * {@code @KubernetesDependent} settings (JOSDK reads them from the concrete class only):
 * {@code useSSA = FALSE} and the operator's label selector.
 */
abstract class GeneratedSecretDependent extends KubernetesDependentResource<Secret, VectorShardCluster>
    implements Creator<Secret, VectorShardCluster>, GarbageCollected<VectorShardCluster> {

  /** The name of the Secret this dependent creates for {@code vsc}. */
  abstract String secretName(VectorShardCluster vsc);

  @Override
  protected Secret desired(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    return PasswordSecret.desired(vsc, secretName(vsc), ShardCredentials.generatePassword());
  }
}
