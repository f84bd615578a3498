package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/** How each shard's Redis runs. Kubernetes-only fields are ignored by local mode. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RedisSpec {
  private String image = "redis:8.0.2";
  /** Extra redis.conf directives, e.g. {@code maxmemory: 2gb}. */
  private Map<String, String> config = new LinkedHashMap<>();
  /** Name of a Secret holding the Redis password (key {@code password}); none means no AUTH. */
  private String passwordSecret;

  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public Map<String, String> getConfig() { return config; }
  public void setConfig(Map<String, String> config) { this.config = config; }
  public String getPasswordSecret() { return passwordSecret; }
  public void setPasswordSecret(String passwordSecret) { this.passwordSecret = passwordSecret; }
}
