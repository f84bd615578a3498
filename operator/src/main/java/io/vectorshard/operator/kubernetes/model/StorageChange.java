package io.vectorshard.operator.kubernetes.model;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A change of {@code spec.redis.storage} that an existing shard's StatefulSet cannot take: the API
 * server refuses any update of {@code volumeClaimTemplates} ("updates to statefulset spec for fields
 * other than ... are forbidden"), so applying it would fail every reconcile. Found before anything is
 * applied, so the operator refuses the change with a condition instead. Pure: no API calls.
 */
public final class StorageChange {
  private StorageChange() {}

  /** A shard's claim template as far as the API server's immutability goes; empty for ephemeral storage. */
  private record Claim(BigDecimal bytes, String storageClass, String size) {
    static Optional<Claim> of(List<PersistentVolumeClaim> templates) {
      if (templates == null || templates.isEmpty()) {
        return Optional.empty();
      }
      PersistentVolumeClaim claim = templates.get(0);
      Quantity size = claim.getSpec().getResources().getRequests().get("storage");
      return Optional.of(new Claim(Quantity.getAmountInBytes(size), claim.getSpec().getStorageClassName(), size.toString()));
    }

    boolean sameAs(Claim other) {
      return bytes.compareTo(other.bytes) == 0 && Objects.equals(storageClass, other.storageClass);
    }

    @Override
    public String toString() {
      return "a " + size + " volume of " + (storageClass == null ? "the default StorageClass" : "StorageClass " + storageClass);
    }
  }

  /** What differs between the claims the shard has and the claims the spec asks for, if anything. */
  public static Optional<String> refused(StatefulSet existing, StatefulSet desired) {
    Optional<Claim> now = Claim.of(existing.getSpec().getVolumeClaimTemplates());
    Optional<Claim> wanted = Claim.of(desired.getSpec().getVolumeClaimTemplates());
    boolean same = now.isPresent() == wanted.isPresent() && now.map(c -> c.sameAs(wanted.get())).orElse(true);
    return same ? Optional.empty() : Optional.of(existing.getMetadata().getName() + " has "
        + now.map(Claim::toString).orElse("ephemeral storage") + ", the spec asks for "
        + wanted.map(Claim::toString).orElse("ephemeral storage"));
  }
}
