package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

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

  public <T extends HasMetadata> T get(Class<T> type, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(FILE + " has no " + type.getSimpleName() + " " + name));
  }

  public Deployment operatorDeployment() {
    return get(Deployment.class, OPERATOR);
  }

  /**
   * Makes the mock server answer as a real API server would answer the operator's pod when JOSDK
   * checks, before campaigning, what it may do with Leases: the rules of the leader-election Role.
   */
  public void answerLeaseRulesReviews(KubernetesMockServer server) {
    SelfSubjectRulesReview review = new SelfSubjectRulesReviewBuilder().withNewStatus().withIncomplete(false)
        .withResourceRules(get(Role.class, LEASE_ROLE).getRules().stream().map(r -> new ResourceRuleBuilder()
            .withApiGroups(r.getApiGroups()).withResources(r.getResources()).withResourceNames(r.getResourceNames())
            .withVerbs(r.getVerbs()).build()).toList())
        .endStatus().build();
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, review).always();
  }

  /** Whether some rule grants {@code verb} on {@code resource} (plural, optionally "/subresource") of {@code group}. */
  static boolean grants(List<PolicyRule> rules, String group, String resource, String verb) {
    Predicate<List<String>> any = values -> values.contains("*");
    return rules.stream().anyMatch(r -> (r.getApiGroups().contains(group) || any.test(r.getApiGroups()))
        && (r.getResources().contains(resource) || any.test(r.getResources()))
        && (r.getVerbs().contains(verb) || any.test(r.getVerbs())));
  }
}
