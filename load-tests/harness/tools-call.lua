-- wrk script: every request is an MCP tools/call POST, as an agent sends it (Streamable HTTP).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'

-- Targets that require an AXID: run.sh mints a fresh token (they live at most 5 minutes) before every wrk
-- run and names its file here; it is read once per thread when the script loads.
local axid_file = os.getenv("TOLLGATE_AXID_FILE")
if axid_file ~= nil and axid_file ~= "" then
  local f = assert(io.open(axid_file, "r"))
  local token = f:read("*l")
  f:close()
  wrk.headers["X-Waxell-AXID"] = token
end
