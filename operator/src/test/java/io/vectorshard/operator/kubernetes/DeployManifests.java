package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * What users apply to install: the CRD from {@code crds/} and the objects of
 * {@code deploy/operator.yaml}; shared by the modules' tests.
 */
public record DeployManifests(List<HasMetadata> objects) {
  /** From the directory of any module. */
  public static final Path FILE = Path.of("../deploy/operator.yaml");
  public static final Path CRD = Path.of("../crds/vectorshardclusters.vectorshard.io-v1.yml");
  public static final String OPERATOR = "vectorshard-operator";
  public static final String LEASE_ROLE = "vectorshard-operator-leader-election";

  public static DeployManifests load() {
    try (InputStream yaml = Files.newInputStream(FILE)) {
      return new DeployManifests(new KubernetesSerialization().unmarshal(yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The checked-in CRD, as {@code kubectl apply -f crds/} installs it. */
  public static void installCrd(KubernetesClient client) {
    try (InputStream yaml = Files.newInputStream(CRD)) {
      client.apiextensions().v1().customResourceDefinitions()
          .resource(new KubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class))
          .createOr(c -> c.update());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Applies everything but the operator's Deployment and its PodDisruptionBudget (the operator runs in
   * the test's JVM instead): its Namespace, ServiceAccount, ClusterRole, Role and their bindings, as
   * {@code kubectl apply -f deploy/operator.yaml} would. The rules are the file's, unchanged, unless
   * {@code edit} changes them (to show what a missing rule breaks).
   */
  public void installRbac(KubernetesClient admin, UnaryOperator<HasMetadata> edit) {
    for (HasMetadata object : objects) {
      if (!(object instanceof Deployment) && !(object instanceof PodDisruptionBudget)) {
        admin.resource(edit.apply(object)).createOr(c -> c.update());
      }
    }
  }

  public <T extends HasMetadata> T get(Class<T> type, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(FILE + " has no " + type.getSimpleName() + " " + name));
  }

  public Deployment operatorDeployment() {
    return get(Deployment.class, OPERATOR);
  }

  /** Whether some rule grants {@code verb} on {@code resource} (plural, optionally "/subresource") of {@code group}. */
  static boolean grants(List<PolicyRule> rules, String group, String resource, String verb) {
    Predicate<List<String>> any = values -> values.contains("*");
    return rules.stream().anyMatch(r -> (r.getApiGroups().contains(group) || any.test(r.getApiGroups()))
        && (r.getResources().contains(resource) || any.test(r.getResources()))
        && (r.getVerbs().contains(verb) || any.test(r.getVerbs())));
  }
}
