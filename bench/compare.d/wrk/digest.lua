-- HTTP Digest (RFC 7616) with a fresh response per request: one nonce (fetched by bench/compare from the
-- server's 401 just before the run), nc counting up from OFFSET+1 so no value repeats across warm-up and
-- measurement. H(A1) and H(A2) are computed once by bench/compare; wrk computes one SHA-256 per request.
--   wrk ... -s digest.lua URL -- USER REALM NONCE OPAQUE|- QOP HA1 HA2 URI [OFFSET]
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
local sha256 = dofile(here .. "sha256.lua")

local p = {}
local nc = 0
local prefix, suffix

function init(args)
  math.randomseed(os.time())
  p.user, p.realm, p.nonce, p.opaque, p.qop, p.ha1, p.ha2, p.uri = unpack(args, 1, 8)
  nc = tonumber(args[9] or "0")
  p.cnonce = string.format("%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
  prefix = string.format('Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=SHA-256, '
                         .. 'qop=%s, cnonce="%s", ', p.user, p.realm, p.nonce, p.uri, p.qop, p.cnonce)
  suffix = p.opaque ~= "-" and string.format(', opaque="%s"', p.opaque) or ""
end

function request()
  nc = nc + 1
  local count = string.format("%08x", nc)
  local answer = sha256(table.concat({ p.ha1, p.nonce, count, p.cnonce, p.qop, p.ha2 }, ":"))
  local field = prefix .. string.format('nc=%s, response="%s"', count, answer) .. suffix
  return wrk.format(nil, p.uri, { ["Authorization"] = field })
end
