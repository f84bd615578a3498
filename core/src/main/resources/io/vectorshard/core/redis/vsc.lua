#!lua name=vsc
--[[
The vectorshard write path, loaded on every shard (FUNCTION LOAD REPLACE).

Every write carries the epoch of the router's routing table. A shard whose vsc:epoch is newer
answers "STALE <epoch>" and changes nothing: the router then reloads the table and retries, so a
router holding an old table can never write a key on a shard that no longer owns it.
Reads never go through here: VSIM inside a script runs on the main thread and blocks the server.
]]

local LIBRARY_VERSION = '1'

local function current_epoch(epoch_key)
  return tonumber(redis.call('GET', epoch_key) or '0')
end

local function fence(epoch_key, router_epoch)
  local current = current_epoch(epoch_key)
  local asked = tonumber(router_epoch)
  if asked == nil then
    return redis.error_reply('ERR vsc: epoch must be an integer')
  end
  if asked < current then
    return redis.error_reply('STALE ' .. current)
  end
  return nil
end

--[[
KEYS: vsc:epoch, vsc:tenants, bucket key 1..n
ARGV: epoch, tenant, quantization (NOQUANT|Q8|BIN), M, EF,
      then per element: bucket key index (1-based), id, FP32 little-endian vector, attributes JSON or ''
Returns one integer per element: 1 created, 0 updated. All-or-nothing for the checks below: the
dimension of every element is verified, against its existing set or against the first element of
the chunk for a new set, before the first VADD.
]]
local function upsert(keys, args)
  local err = fence(keys[1], args[1])
  if err then return err end
  local tenant, quant, m, ef = args[2], args[3], args[4], args[5]
  local dims = {}
  for i = 6, #args, 4 do
    local key = keys[2 + tonumber(args[i])]
    local dim = string.len(args[i + 2]) / 4
    if dims[key] == nil and redis.call('EXISTS', key) == 1 then
      dims[key] = redis.call('VDIM', key)
    end
    local have = dims[key] or dim
    if have ~= dim then
      return redis.error_reply('ERR vsc: vector dimension mismatch - got ' .. dim .. ' but set has ' .. have)
    end
    dims[key] = have
  end
  local results = {}
  for i = 6, #args, 4 do
    local key = keys[2 + tonumber(args[i])]
    results[#results + 1] = redis.call('VADD', key, 'FP32', args[i + 2], args[i + 1], quant,
      'M', m, 'EF', ef, 'SETATTR', args[i + 3])
    if args[i + 3] == '' then
      -- VADD ... SETATTR '' clears an existing element's attributes but gives a new element an
      -- empty-string attribute (Redis 8.0.2); VSETATTR '' removes it, so "no attributes" is nil.
      redis.call('VSETATTR', key, args[i + 1], '')
    end
  end
  redis.call('SADD', keys[2], tenant)
  return results
end

--[[
KEYS: vsc:epoch, bucket key
ARGV: epoch, id 1..n
Returns one integer per id: 1 removed, 0 absent.
]]
local function remove(keys, args)
  local err = fence(keys[1], args[1])
  if err then return err end
  local results = {}
  for i = 2, #args do
    results[#results + 1] = redis.call('VREM', keys[2], args[i])
  end
  return results
end

--[[
KEYS: vsc:epoch, vsc:tenants, bucket key 1..n (the tenant's keys on this shard)
ARGV: epoch, tenant
Returns the number of keys deleted.
]]
local function drop_tenant(keys, args)
  local err = fence(keys[1], args[1])
  if err then return err end
  local deleted = 0
  for i = 3, #keys do
    deleted = deleted + redis.call('DEL', keys[i])
  end
  redis.call('SREM', keys[2], args[2])
  return deleted
end

--[[
KEYS: vsc:epoch, vsc:routing
ARGV: epoch, routing table JSON, announcement channel
Epochs only grow: publishing an older epoch fails, republishing the same epoch and table is a no-op.
Returns 1 when the table changed, 0 when it was already there.
]]
local function publish(keys, args)
  local current = current_epoch(keys[1])
  local epoch = tonumber(args[1])
  if epoch == nil or epoch < 1 then
    return redis.error_reply('ERR vsc: epoch must be a positive integer')
  end
  if epoch < current then
    return redis.error_reply('STALE ' .. current)
  end
  if epoch == current then
    if redis.call('GET', keys[2]) == args[2] then return 0 end
    return redis.error_reply('ERR vsc: epoch ' .. epoch .. ' already holds a different routing table')
  end
  redis.call('SET', keys[2], args[2])
  redis.call('SET', keys[1], epoch)
  redis.call('PUBLISH', args[3], epoch)
  return 1
end

local function version()
  return LIBRARY_VERSION
end

redis.register_function('vsc_upsert', upsert)
redis.register_function('vsc_remove', remove)
redis.register_function('vsc_drop_tenant', drop_tenant)
redis.register_function('vsc_publish', publish)
redis.register_function{function_name = 'vsc_version', callback = version, flags = {'no-writes'}}
