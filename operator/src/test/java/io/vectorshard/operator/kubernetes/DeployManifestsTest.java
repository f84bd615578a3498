package io.vectorshard.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.vectorshard.api.VectorShardCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/operator.yaml} against the code: the RBAC grants what the reconciler and each of
 * its dependents use (a new dependent without RBAC fails here, not in a user's cluster), no more
 * on the primary resource, and the Deployment runs the operator as that ServiceAccount.
 */
class DeployManifestsTest {
  private static final String NAMESPACE = "vectorshard-system";
  private static final String ACCOUNT = DeployManifests.OPERATOR;
  private final DeployManifests deploy = DeployManifests.load();

  private static String group(Class<? extends HasMetadata> type) {
    return Objects.requireNonNullElse(HasMetadata.getGroup(type), "");
  }

  private static void require(List<String> missing, List<PolicyRule> rules, Class<? extends HasMetadata> type,
      String subresource, List<String> verbs) {
    String resource = HasMetadata.getPlural(type) + subresource;
    verbs.stream().filter(v -> !DeployManifests.grants(rules, group(type), resource, v))
        .forEach(v -> missing.add(v + " " + group(type) + "/" + resource));
  }

  /**
   * The verbs a dependent needs: its informer's, and those of the operations it implements. With
   * server-side apply (the operator's default) creating and updating are PATCH requests.
   */
  private static List<String> verbs(DependentResource<?, ?> dependent) {
    List<String> verbs = new ArrayList<>(List.of("get", "list", "watch"));
    KubernetesDependent config = dependent.getClass().getAnnotation(KubernetesDependent.class);
    boolean ssa = config == null || config.useSSA() != BooleanWithUndefined.FALSE;
    if (dependent instanceof Creator<?, ?>) {
      verbs.add(ssa ? "patch" : "create");
    }
    if (dependent instanceof Updater<?, ?>) {
      verbs.add(ssa ? "patch" : "update");
    }
    if (dependent instanceof Deleter<?>) {
      verbs.add("delete"); // also when a reconcile precondition stops holding
    }
    return verbs;
  }

  @Test
  void theClusterRoleGrantsWhatTheReconcilerAndEveryDependentUse() throws Exception {
    List<PolicyRule> rules = deploy.get(ClusterRole.class, ACCOUNT).getRules();
    List<String> missing = new ArrayList<>();
    require(missing, rules, VectorShardCluster.class, "", List.of("get", "list", "watch"));
    require(missing, rules, VectorShardCluster.class, "/status", List.of("update")); // PUT .../status
    require(missing, rules, Event.class, "", List.of("create"));
    Dependent[] dependents = VectorShardClusterReconciler.class.getAnnotation(Workflow.class).dependents();
    for (Dependent d : dependents) {
      DependentResource<?, ?> dependent = d.type().getDeclaredConstructor().newInstance();
      @SuppressWarnings("unchecked")
      Class<? extends HasMetadata> type = (Class<? extends HasMetadata>) dependent.resourceType();
      require(missing, rules, type, "", verbs(dependent));
    }

    assertThat(dependents).hasSizeGreaterThanOrEqualTo(6);
    assertThat(missing).as("permissions missing from the ClusterRole in %s", DeployManifests.FILE).isEmpty();
  }

  @Test
  void theOperatorCannotChangeWhatUsersOwn() {
    List<PolicyRule> rules = deploy.get(ClusterRole.class, ACCOUNT).getRules();
    for (String verb : List.of("create", "update", "patch", "delete")) {
      // patch on the resource itself is the one exception: it removes a spent rebalance approval
      // annotation (Rebalances.clearApproval), so an approval never carries over to a later plan.
      assertThat(DeployManifests.grants(rules, VectorShardCluster.GROUP, "vectorshardclusters", verb)).as(verb)
          .isEqualTo(verb.equals("patch"));
      assertThat(DeployManifests.grants(rules, VectorShardCluster.GROUP, "vectorshardclusters/scale", verb)).as(verb)
          .isFalse();
    }
    assertThat(rules).allSatisfy(r -> assertThat(r.getVerbs()).doesNotContain("*"));
    // The generated password Secret is created once and never rewritten.
    assertThat(DeployManifests.grants(rules, "", "secrets", "update")).isFalse();
  }

  @Test
  void leaderElectionMayUseOnlyLeasesInTheOperatorsNamespace() {
    Role role = deploy.get(Role.class, DeployManifests.LEASE_ROLE);
    assertThat(role.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    // The verbs JOSDK checks with a SelfSubjectRulesReview before it campaigns, and the PATCH that
    // Fabric8's LeaseLock renews with (LeaderElectionTest fails on the real API server without it).
    for (String verb : List.of("get", "create", "update", "patch")) {
      assertThat(DeployManifests.grants(role.getRules(), "coordination.k8s.io", "leases", verb)).as(verb).isTrue();
    }
    assertThat(DeployManifests.grants(deploy.get(ClusterRole.class, ACCOUNT).getRules(), "coordination.k8s.io",
        "leases", "update")).isFalse();
  }

  @Test
  void bothRolesAreBoundToTheServiceAccountTheDeploymentRunsAs() {
    Subject operator = new Subject(null, "ServiceAccount", ACCOUNT, NAMESPACE);
    ClusterRoleBinding cluster = deploy.get(ClusterRoleBinding.class, ACCOUNT);
    assertThat(cluster.getRoleRef().getName()).isEqualTo(ACCOUNT);
    assertThat(cluster.getSubjects()).containsExactly(operator);
    RoleBinding lease = deploy.get(RoleBinding.class, DeployManifests.LEASE_ROLE);
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(lease.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(lease.getRoleRef().getName()).isEqualTo(DeployManifests.LEASE_ROLE);
    assertThat(lease.getSubjects()).containsExactly(operator);

    Deployment deployment = deploy.operatorDeployment();
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(ACCOUNT);
  }

  @Test
  void theDeploymentRunsReplicasThatElectALeaderAsTheirPodName() {
    Deployment deployment = deploy.operatorDeployment();
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(deployment.getSpec().getReplicas()).isGreaterThan(1);
    assertThat(container.getArgs()).startsWith("operator").containsSequence("--lease-namespace", "$(POD_NAMESPACE)");
    assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("POD_NAMESPACE")).singleElement()
        .extracting(e -> e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("HOSTNAME")).singleElement()
        .extracting(EnvVar::getValueFrom).extracting(v -> v.getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    // The operator serves the probes' path on its metrics port; OperatorCommandTest requests it.
    assertThat(List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe()))
        .allSatisfy(p -> assertThat(p.getHttpGet().getPath()).isEqualTo(HealthHandler.PATH))
        .allSatisfy(p -> assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo("metrics"));
    assertThat(container.getPorts()).filteredOn(p -> p.getName().equals("metrics")).singleElement()
        .satisfies(p -> assertThat(container.getArgs()).containsSequence("--metrics-port", p.getContainerPort().toString()));
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getResources().getLimits()).containsKey("memory");
  }
}
