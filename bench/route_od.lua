-- route_od.lua: wrk script for bench/bench_server.sh: each request routes one random OD pair.
-- Usage: wrk ... -s bench/route_od.lua URL -- PAIRS_FILE MODE [SEED]
--   PAIRS_FILE  one pair a line: "lon,lat lon,lat" (bench_server.sh writes it with a fixed seed)
--   MODE        api  (/api/v1/route?from=..&to=..&format=json), osrm (/route/v1/multimodal/..),
--               or mix (either, at random)
--   SEED        random seed (default 42; thread i uses SEED + i, so a run is reproducible)
-- done() prints one line "RESULT key=value ..." that bench_server.sh reads.

local pairs_file, mode, seed
local od = {}
local threads = {}
local counter = 0

local function load(path)
	local v = {}
	for line in io.lines(path) do
		local a, b = line:match("^(%S+)%s+(%S+)$")
		if a then
			v[#v + 1] = {a, b}
		end
	end
	return v
end

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
	threads[#threads + 1] = thread
end

function init(args)
	pairs_file = args[1]
	mode = args[2] or "api"
	seed = tonumber(args[3] or "42")
	if not pairs_file then
		error("route_od.lua: usage: wrk ... -s route_od.lua URL -- PAIRS_FILE api|osrm|mix [SEED]")
	end
	if mode ~= "api" and mode ~= "osrm" and mode ~= "mix" then
		error("route_od.lua: MODE is api, osrm or mix, not " .. mode)
	end
	od = load(pairs_file)
	if #od == 0 then
		error("route_od.lua: no pairs in " .. pairs_file)
	end
	math.randomseed(seed + (id or 0))
end

function request()
	local p = od[math.random(#od)]
	local m = mode
	if m == "mix" then
		m = (math.random(2) == 1) and "api" or "osrm"
	end
	if m == "api" then
		return wrk.format("GET", "/api/v1/route?from=" .. p[1] .. "&to=" .. p[2] .. "&format=json")
	end
	return wrk.format("GET", "/route/v1/multimodal/" .. p[1] .. ";" .. p[2])
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
		.. "non2xx=%d connect=%d read=%d write=%d timeout=%d bytes=%d\n",
		summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
		e.status, e.connect, e.read, e.write, e.timeout, summary.bytes))
end
