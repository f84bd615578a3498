package io.vectorshard.operator.kubernetes.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.operator.kubernetes.model.ClusterResources;

/** The shards' administrator password ({@code default} user), when the spec names no Secret of its own. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterResources.MANAGED_SELECTOR),
    useSSA = BooleanWithUndefined.FALSE)
public class PasswordSecretDependent extends GeneratedSecretDependent {

  @Override
  String secretName(VectorShardCluster vsc) {
    return ClusterResources.generatedPasswordSecret(vsc.getMetadata().getName());
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
