-- SPDX-License-Identifier: ISC
-- tests/bench/bench.lua — wrk script of tests/bench/run.
--
--   wrk -tT -cC -d<SECS+1>s -s bench.lua URL -- KIND PATH ITEMS SECS
--
-- KIND: bearer (POST PATH, Authorization: Bearer <line>), body (line is
-- "ACCESS REFRESH": bearer ACCESS and a LogoutRequest naming REFRESH),
-- query (POST PATH?<line>), static (the first line as bearer, again and
-- again), gate (GET PATH with the first line as bearer, again and again:
-- the verify route, which consumes nothing), gate-query (GET PATH?<first
-- line>, again and again: its ceiling). Thread n reads ITEMS.n: its own
-- slice, so no two threads ever send the same token and each line is used
-- once.
--
-- The measured window is SECS from the thread's start. After it, each
-- connection's next request goes to /bench/hold, which nginx holds
-- (limit_req) until wrk closes it one second later: every request that
-- can delete a row is answered before wrk stops, so the run can match
-- the 204s against the deleted rows exactly. A thread that runs out of
-- lines holds too and reports it (the run then seeds more and retries).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local tsbuf = ffi.new("bench_timespec")
local function now()
	ffi.C.clock_gettime(1, tsbuf) -- CLOCK_MONOTONIC
	return tonumber(tsbuf.tv_sec) + tonumber(tsbuf.tv_nsec) * 1e-9
end

-- main state: the threads, to add up their counters in done()
local threads = {}

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

-- thread state (globals, so thread:get can read them)
counts = {}
sent = 0
answered = 0
exhausted = 0
window = 0

local kind, path, items, n, i, deadline, hold, static_req

function init(args)
	kind, path = args[1], args[2]
	local secs = tonumber(args[4])
	items = {}
	for line in io.lines(args[3] .. "." .. tid) do
		items[#items + 1] = line
	end
	n, i = #items, 0
	hold = wrk.format("GET", "/bench/hold")
	if kind == "static" then
		static_req = wrk.format("POST", path, { ["Authorization"] = "Bearer " .. items[1] })
	elseif kind == "gate" then
		static_req = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. items[1] })
	elseif kind == "gate-query" then
		static_req = wrk.format("GET", path .. "?" .. items[1])
	end
	local t0 = now()
	deadline = t0 + secs
	window = secs
end

function request()
	if now() >= deadline then
		return hold
	end
	if static_req then
		sent = sent + 1
		return static_req
	end
	if i >= n then
		exhausted = 1
		return hold
	end
	i = i + 1
	sent = sent + 1
	local line = items[i]
	if kind == "query" then
		return wrk.format("POST", path .. "?" .. line)
	elseif kind == "body" then
		local acc, ref = line:match("^(%S+) (%S+)$")
		return wrk.format("POST", path, {
			["Authorization"] = "Bearer " .. acc,
			["Content-Type"] = "application/json",
		}, '{"refresh_token":"' .. ref .. '"}')
	end
	return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. line })
end

function response(status, headers, body)
	answered = answered + 1
	counts[status] = (counts[status] or 0) + 1
end

-- One "BENCH key value..." line per figure, for tests/bench/run to parse.
function done(summary, latency, requests)
	local total = { sent = 0, answered = 0, exhausted = 0, window = 0 }
	local st = {}
	for _, t in ipairs(threads) do
		for k, _ in pairs(total) do
			total[k] = total[k] + (t:get(k) or 0)
		end
		for code, c in pairs(t:get("counts") or {}) do
			st[code] = (st[code] or 0) + c
		end
	end
	local win = total.window / math.max(#threads, 1)
	io.write(string.format("BENCH rps %.1f\n", total.answered / win))
	io.write(string.format("BENCH p50_us %d\nBENCH p99_us %d\nBENCH max_us %d\n",
		latency:percentile(50), latency:percentile(99), latency.max))
	io.write(string.format("BENCH sent %d\nBENCH answered %d\nBENCH exhausted %d\n",
		total.sent, total.answered, total.exhausted))
	local e = summary.errors
	io.write(string.format("BENCH errors %d\n", e.connect + e.read + e.write + e.timeout))
	local codes = {}
	for code, c in pairs(st) do
		codes[#codes + 1] = code .. "*" .. c
	end
	table.sort(codes)
	io.write("BENCH statuses " .. table.concat(codes, " ") .. "\n")
end
