-- churn.lua — string and table churn for lua5.4 under each allocator (harness run
-- --workloads real:lua5.4). Deterministic: a fixed LCG, no addresses, times or table order
-- printed (pairs() order depends on addresses, so only sorted keys and sums are printed).
local seed = 12345
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return (seed // 65536) % n  -- the high bits: an LCG's low bits cycle quickly
end

local checksum = 0
local function mix(s)
  for i = 1, #s, 7 do checksum = (checksum * 31 + s:byte(i)) % 1000000007 end
end

-- 1. Strings: concatenation, formatting, gsub, rep; most die young.
local kept = {}
for i = 1, 200000 do
  local s = string.format("%d:%s:%x", i, string.rep("ab", rand(20)), i * 7919)
  if rand(10) == 0 then kept[#kept + 1] = s:upper() end
  if i % 1000 == 0 then mix(s) end
end
print("strings kept", #kept)
local joined = table.concat(kept, ",", 1, math.min(2000, #kept))
mix(joined)
print("joined length", #joined)
local replaced, n = joined:gsub("AB", "x")
print("gsub", n, #replaced)

-- 2. Tables: build, grow, shrink, nested, rehash.
local buckets = {}
for i = 1, 100000 do
  local k = "k" .. rand(5000)
  local b = buckets[k]
  if not b then
    b = {}
    buckets[k] = b
  end
  b[#b + 1] = {i, tostring(i), {i % 3, i % 5}}
  if #b > 30 then
    for j = 1, 15 do table.remove(b, 1) end
  end
end
local keys = {}
for k in pairs(buckets) do keys[#keys + 1] = k end
table.sort(keys)
local total = 0
for _, k in ipairs(keys) do
  for _, e in ipairs(buckets[k]) do total = total + e[1] + e[3][1] + e[3][2] end
end
print("buckets", #keys, "total", total)

-- 3. Generations: replace whole structures, let the collector reclaim them.
local gen = {}
for round = 1, 40 do
  local t = {}
  for i = 1, 5000 do t[i] = {name = "n" .. (i + round), vals = {i, i * 2, i * 3}} end
  gen[round % 4] = t
  mix(t[rand(5000) + 1].name)
end
collectgarbage()
print("generations", #gen[0], #gen[1])

-- 4. Sorting with a comparator over string keys.
local words = {}
for i = 1, 50000 do words[i] = string.format("%05d-%s", rand(100000), string.rep("z", rand(8))) end
table.sort(words, function(a, b) return a > b end)
mix(words[1] .. words[#words])
print("sorted", words[1], words[#words])
print("checksum", checksum)
