package io.vectorshard.operator.kubernetes.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The cluster's DNS, for this JVM: resolves the names CoreDNS would serve for pods behind headless
 * Services ({@code <pod>.<service>.<namespace>.svc.cluster.local}) to the pod IPs kwok assigned, so
 * the operator and routers under test connect to shards through the same DNS names they use in a
 * cluster (the production {@code ShardAddresses.clusterDns}). Other names go to the JDK's resolver.
 *
 * <p>Installed through {@code META-INF/services}, so it is the JVM-wide resolver of every test JVM
 * whose classpath holds this module's tests; records come from {@link ProcessKubelet}.
 */
public final class ClusterDns extends InetAddressResolverProvider {
  public static final String CLUSTER_DOMAIN = "cluster.local";
  private static final String SUFFIX = ".svc." + CLUSTER_DOMAIN;
  private static final Map<String, InetAddress> RECORDS = new ConcurrentHashMap<>();

  /** The name a pod gets from its hostname and subdomain (the StatefulSet's serviceName). */
  public static String podName(String pod, String subdomain, String namespace) {
    return pod + "." + subdomain + "." + namespace + SUFFIX;
  }

  static void register(String name, InetAddress address) {
    RECORDS.put(name.toLowerCase(Locale.ROOT), address);
  }

  static void unregister(String name, InetAddress address) {
    RECORDS.remove(name.toLowerCase(Locale.ROOT), address);
  }

  @Override
  public InetAddressResolver get(Configuration configuration) {
    InetAddressResolver builtin = configuration.builtinResolver();
    return new InetAddressResolver() {
      @Override
      public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
        String name = host.toLowerCase(Locale.ROOT);
        InetAddress address = RECORDS.get(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        if (address != null) {
          return Stream.of(address);
        }
        if (name.endsWith(SUFFIX) || name.endsWith(SUFFIX + ".")) {
          // NXDOMAIN, as CoreDNS answers for a pod that has no IP (yet)
          throw new UnknownHostException(host + ": no such pod in the test cluster's DNS");
        }
        return builtin.lookupByName(host, policy);
      }

      @Override
      public String lookupByAddress(byte[] addr) throws UnknownHostException {
        return builtin.lookupByAddress(addr);
      }
    };
  }

  @Override
  public String name() {
    return "vectorshard test cluster DNS";
  }
}
