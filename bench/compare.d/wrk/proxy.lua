-- Through a forward proxy: wrk connects to the proxy (the URL on its command line) and sends the
-- absolute-form target in the request line, with the origin's authority as Host, as a proxy client does
-- (RFC 9112 §3.2.2); the credential comes with -H "Proxy-Authorization: ...".
--   wrk ... -s proxy.lua -H "Proxy-Authorization: Basic ..." http://127.0.0.1:PROXY/ -- http://HOST:PORT/PATH
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

function init(args)
  local target = args[1]
  assert(target and target:match("^http://[^/]+/"), "proxy.lua: give the absolute-form target after --")
  wrk.path = target                                -- wrk.init() formats the request after init()
  wrk.headers["Host"] = target:match("^http://([^/]+)")
end
