package io.vectorshard.operator.kubernetes.testing;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dynamic provisioner and resizer for the default StorageClass {@link #CLASS}, as a CSI driver's
 * external-provisioner and external-resizer would be: a pending claim of that class gets a hostPath
 * PersistentVolume (a directory on this machine, which {@link ProcessKubelet} mounts), bound through
 * its claimRef by the real PV controller; a claim whose request grew gets its volume's capacity and
 * then its own status capacity raised; a released volume is deleted with its directory.
 */
final class VolumeProvisioner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeProvisioner.class);
  static final String CLASS = "vsc-local";
  static final String PROVISIONER = "vectorshard.test/process-kubelet";
  /** A second class that refuses expansion, for tests of what the operator does then. */
  static final String FIXED_CLASS = "vsc-local-fixed";

  private final KubernetesClient client;
  private final Path root;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "vsc-volume-provisioner");
    t.setDaemon(true);
    return t;
  });

  private VolumeProvisioner(KubernetesClient client, Path root) {
    this.client = client;
    this.root = root;
  }

  static VolumeProvisioner start(KubernetesClient client, Path root) {
    client.storage().v1().storageClasses().resource(new StorageClassBuilder()
        .withNewMetadata().withName(CLASS)
          .withAnnotations(Map.of("storageclass.kubernetes.io/is-default-class", "true")).endMetadata()
        .withProvisioner(PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("Immediate")
        .withAllowVolumeExpansion(true).build()).create();
    client.storage().v1().storageClasses().resource(new StorageClassBuilder()
        .withNewMetadata().withName(FIXED_CLASS).endMetadata()
        .withProvisioner(PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("Immediate")
        .withAllowVolumeExpansion(false).build()).create();
    VolumeProvisioner provisioner = new VolumeProvisioner(client, root);
    provisioner.loop.scheduleWithFixedDelay(provisioner::sync, 0, 200, TimeUnit.MILLISECONDS);
    return provisioner;
  }

  private void sync() {
    try {
      for (PersistentVolumeClaim claim : client.persistentVolumeClaims().inAnyNamespace().list().getItems()) {
        String cls = claim.getSpec().getStorageClassName();
        if (!CLASS.equals(cls) && !FIXED_CLASS.equals(cls)) {
          continue;
        }
        if (claim.getSpec().getVolumeName() == null && claim.getMetadata().getDeletionTimestamp() == null) {
          provision(claim);
        } else if (claim.getSpec().getVolumeName() != null) {
          resize(claim);
        }
      }
      for (PersistentVolume volume : client.persistentVolumes().list().getItems()) {
        if (volume.getStatus() != null && "Released".equals(volume.getStatus().getPhase())
            && "Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())
            && volume.getSpec().getHostPath() != null) {
          client.resource(volume).delete();
          delete(Path.of(volume.getSpec().getHostPath().getPath()));
        }
      }
    } catch (KubernetesClientException e) {
      LOG.debug("volume provisioner: {}", e.toString()); // a conflict or a race: the next pass retries
    }
  }

  private void provision(PersistentVolumeClaim claim) {
    String name = "pvc-" + claim.getMetadata().getUid();
    if (client.persistentVolumes().withName(name).get() != null) {
      return;
    }
    Path dir = root.resolve(name);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client.persistentVolumes().resource(new PersistentVolumeBuilder()
        .withNewMetadata().withName(name).addToAnnotations("pv.kubernetes.io/provisioned-by", PROVISIONER).endMetadata()
        .withNewSpec()
          .withCapacity(Map.of("storage", claim.getSpec().getResources().getRequests().get("storage")))
          .withAccessModes(claim.getSpec().getAccessModes())
          .withStorageClassName(claim.getSpec().getStorageClassName())
          .withPersistentVolumeReclaimPolicy("Delete")
          .withNewHostPath().withPath(dir.toString()).withType("Directory").endHostPath()
          .withNewClaimRef().withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
            .withUid(claim.getMetadata().getUid()).endClaimRef()
        .endSpec().build()).create();
    LOG.info("provisioned {} for {}/{}", name, claim.getMetadata().getNamespace(), claim.getMetadata().getName());
  }

  /** External-resizer's part, where the class allows it: volume first, then the claim's status. */
  private void resize(PersistentVolumeClaim claim) {
    if (!CLASS.equals(claim.getSpec().getStorageClassName())) {
      return;
    }
    Quantity wanted = claim.getSpec().getResources().getRequests().get("storage");
    PersistentVolume volume = client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
    if (volume == null) {
      return;
    }
    if (Quantity.getAmountInBytes(volume.getSpec().getCapacity().get("storage")).compareTo(Quantity.getAmountInBytes(wanted)) < 0) {
      client.persistentVolumes().withName(volume.getMetadata().getName())
          .edit(v -> { v.getSpec().getCapacity().put("storage", wanted); return v; });
    }
    Quantity has = claim.getStatus() == null || claim.getStatus().getCapacity() == null ? null
        : claim.getStatus().getCapacity().get("storage");
    if (has != null && Quantity.getAmountInBytes(has).compareTo(Quantity.getAmountInBytes(wanted)) < 0) {
      claim.getStatus().getCapacity().put("storage", wanted);
      client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).resource(claim).updateStatus();
      LOG.info("expanded {}/{} to {}", claim.getMetadata().getNamespace(), claim.getMetadata().getName(), wanted);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", dir, e.toString());
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
