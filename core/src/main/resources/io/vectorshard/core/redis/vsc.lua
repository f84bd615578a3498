#!lua name=vsc
--[[
The vectorshard write path, loaded on every shard (FUNCTION LOAD REPLACE).

Every write carries the epoch of the router's routing table. A shard whose vsc:epoch is newer
answers "STALE <epoch>" and changes nothing: the router then reloads the table and retries, so a
router holding an old table can never write a key on a shard that no longer owns it.
Reads never go through here: VSIM inside a script runs on the main thread and blocks the server.

The fenced functions read vsc:epoch without declaring it among their KEYS: a declared key needs
read and write access in the caller's ACL, and the router's user may only read it (ShardAcl), so
that no router credential can move the epoch. Shards are standalone servers, where an undeclared
key is allowed; the key is still checked against the caller's ACL.
]]

local LIBRARY_VERSION = '4'
local EPOCH_KEY = 'vsc:epoch' -- Keys.EPOCH

local function current_epoch(epoch_key)
  return tonumber(redis.call('GET', epoch_key) or '0')
end

local function fence(router_epoch)
  local current = current_epoch(EPOCH_KEY)
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
Write modes, one per bucket key, chosen by the router from the routing table's transition:
  n  the key's home: write it.
  s  the source of an atomic move: write only while this shard still holds the key; once the key
     has gone (moved, or emptied), answer -1 per element, "moved", and the router writes the new
     shard instead. A key gone from its source is never created there again.
  S  the source of a streaming move: as s, and record each written id in the key's dirty set, so
     the verification before the switch re-checks it.
  T  the target of a streaming move: write; an upsert clears the id's tombstone, a delete leaves
     one (so the copier never brings back an element deleted meanwhile); record the id as dirty.
  R  the old bucket of a tenant being re-bucketed: write it (it stays authoritative until the
     tenant's switch, so it is created if absent) and record the id as dirty.
]]

local function marks_dirty(mode)
  return mode == 'S' or mode == 'T' or mode == 'R'
end

local function writable(mode, key)
  if mode == 's' or mode == 'S' then
    return redis.call('EXISTS', key) == 1
  end
  return true
end

local function set_attributes_after_vadd(key, id, attributes)
  if attributes == '' then
    -- VADD ... SETATTR '' clears an existing element's attributes but gives a new element an
    -- empty-string attribute (Redis 8.0.2); VSETATTR '' removes it, so "no attributes" is nil.
    redis.call('VSETATTR', key, id, '')
  end
end

--[[
KEYS: vsc:tenants, bucket key 1..n, then per bucket key its dirty set and tombstone set
ARGV: epoch, tenant, quantization (NOQUANT|Q8|BIN), M, EF, modes (one character per bucket key),
      then per element: bucket key index (1-based), id, FP32 little-endian vector, attributes JSON or ''
Returns one integer per element: 1 created, 0 updated, -1 moved (not written: see mode s). All-or-
nothing for the checks below: the dimension of every element to be written is verified, against its
existing set or against the first element of the chunk for a new set, before the first VADD.
]]
local function upsert(keys, args)
  local err = fence(args[1])
  if err then return err end
  local tenant, quant, m, ef, modes = args[2], args[3], args[4], args[5], args[6]
  local n = string.len(modes)
  local open = {}
  for k = 1, n do
    open[k] = writable(string.sub(modes, k, k), keys[1 + k])
  end
  local dims = {}
  for i = 7, #args, 4 do
    local k = tonumber(args[i])
    if open[k] then
      local key = keys[1 + k]
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
  end
  local results = {}
  local wrote = false
  for i = 7, #args, 4 do
    local k = tonumber(args[i])
    if open[k] then
      local key, id, mode = keys[1 + k], args[i + 1], string.sub(modes, k, k)
      results[#results + 1] = redis.call('VADD', key, 'FP32', args[i + 2], id, quant,
        'M', m, 'EF', ef, 'SETATTR', args[i + 3])
      set_attributes_after_vadd(key, id, args[i + 3])
      if marks_dirty(mode) then
        redis.call('SADD', keys[1 + n + 2 * k - 1], id)
      end
      if mode == 'T' then
        redis.call('SREM', keys[1 + n + 2 * k], id)
      end
      wrote = true
    else
      results[#results + 1] = -1
    end
  end
  if wrote then
    redis.call('SADD', keys[1], tenant)
  end
  return results
end

--[[
KEYS: bucket key, its dirty set, its tombstone set
ARGV: epoch, mode (see above), id 1..n
Returns one integer per id: 1 removed, 0 absent, -1 moved (see mode s).
]]
local function remove(keys, args)
  local err = fence(args[1])
  if err then return err end
  local mode = args[2]
  local results = {}
  if not writable(mode, keys[1]) then
    for i = 3, #args do results[#results + 1] = -1 end
    return results
  end
  for i = 3, #args do
    results[#results + 1] = redis.call('VREM', keys[1], args[i])
    if marks_dirty(mode) then
      redis.call('SADD', keys[2], args[i])
    end
    if mode == 'T' then
      redis.call('SADD', keys[3], args[i])
    end
  end
  return results
end

--[[
KEYS: vsc:tenants, then per bucket key of the tenant on this shard: the key, its dirty
      set, its tombstone set
ARGV: epoch, tenant, modes (one character per bucket key)
Returns the number of bucket keys deleted. On the target of a streaming move the tombstone set
then holds '*': the copier brings back nothing written before the drop.
]]
local function drop_tenant(keys, args)
  local err = fence(args[1])
  if err then return err end
  local modes = args[3]
  local deleted = 0
  for k = 1, string.len(modes) do
    local base = 2 + 3 * (k - 1)
    deleted = deleted + redis.call('DEL', keys[base])
    redis.call('DEL', keys[base + 1], keys[base + 2])
    if string.sub(modes, k, k) == 'T' then
      redis.call('SADD', keys[base + 2], '*')
    end
  end
  redis.call('SREM', keys[1], args[2])
  return deleted
end

--[[
The streaming copier's write, on the target of a move.
KEYS: vsc:tenants, bucket key, its tombstone set
ARGV: epoch, tenant, quantization, M, EF, force (1: repair, write whatever is there), then per
      element: id, FP32 little-endian vector, attributes JSON or ''
Without force an element already present or tombstoned (or everything, after a drop: '*') is
skipped: what routers wrote meanwhile is newer than the copy. Returns the number written.
]]
local function copy(keys, args)
  local err = fence(args[1])
  if err then return err end
  local tenant, quant, m, ef, force = args[2], args[3], args[4], args[5], args[6] == '1'
  local key, tombstones = keys[2], keys[3]
  if not force and redis.call('SISMEMBER', tombstones, '*') == 1 then
    return 0
  end
  local written = 0
  for i = 7, #args, 3 do
    local id = args[i]
    if force or (redis.call('VISMEMBER', key, id) == 0 and redis.call('SISMEMBER', tombstones, id) == 0) then
      redis.call('VADD', key, 'FP32', args[i + 1], id, quant, 'M', m, 'EF', ef, 'SETATTR', args[i + 2])
      set_attributes_after_vadd(key, id, args[i + 2])
      written = written + 1
    end
  end
  if written > 0 then
    redis.call('SADD', keys[1], tenant)
  end
  return written
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
redis.register_function('vsc_copy', copy)
redis.register_function('vsc_publish', publish)
redis.register_function{function_name = 'vsc_version', callback = version, flags = {'no-writes'}}
