"""The gateway driven by the official Python MCP SDK (the `mcp` package from PyPI).

Run through `run.sh` beside this file, which builds the gateway binary and the
`fake_tenant` example and passes their paths in GATEWAY_BIN and FAKE_TENANT_BIN. The
tenant is `auth0-mgmt-fake` in its own process on loopback; its stdin/stdout side
channel (`requests`) tells how many Management API requests it received, so a denied
call can be shown to have sent nothing.
"""

import json
import os
import subprocess
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

HERE = Path(__file__).resolve().parent
POLICY = str(HERE.parent / "data" / "policy.toml")
READER_KEY = "reader-key-0123456789abcdef"
WRITER_KEY = "writer-key-fedcba9876543210"
GATEWAY = os.environ["GATEWAY_BIN"]
FAKE = os.environ["FAKE_TENANT_BIN"]


@pytest.fixture
def anyio_backend():
    return "asyncio"


class Tenant:
    """The fake tenant process and its side channel."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [FAKE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.info = json.loads(self.proc.stdout.readline())

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def api_requests(self):
        return self.ask("requests")["api_requests"]

    def env(self):
        return {
            "AUTH0_MGMT_BASE_URL": self.info["base_url"],
            "AUTH0_CLIENT_ID": self.info["client_id"],
            "AUTH0_CLIENT_SECRET": self.info["client_secret"],
            "RUST_LOG": "debug",
        }

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def tenant():
    t = Tenant()
    yield t
    t.close()


@pytest.fixture
def audit_file():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d) / "audit.jsonl"


def all_records(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def records(path):
    """The outcome records: one per call (writes also leave a write-ahead intent record)."""
    return [r for r in all_records(path) if r["phase"] == "outcome"]


@asynccontextmanager
async def stdio_session(tenant, agent, audit, errlog, policy=POLICY, elicitation_callback=None):
    params = StdioServerParameters(
        command=GATEWAY,
        args=["stdio", "--policy", str(policy), "--agent", agent, "--audit", str(audit)],
        env=tenant.env(),
    )
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write, elicitation_callback=elicitation_callback) as session:
            await session.initialize()
            yield session


class HttpGateway:
    def __init__(self, tenant, audit):
        self.proc = subprocess.Popen(
            [GATEWAY, "http", "--policy", POLICY, "--listen", "127.0.0.1:0", "--audit", str(audit)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **tenant.env()},
            text=True,
        )
        line = self.proc.stdout.readline().strip()
        assert line.startswith("listening on "), line
        self.url = line.removeprefix("listening on ")

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.fixture
def http_gateway(tenant, audit_file):
    g = HttpGateway(tenant, audit_file)
    yield g
    g.close()


@asynccontextmanager
async def http_session(url, key):
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {key}"}) as client:
        async with streamable_http_client(url, http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


def tool_names(result):
    return [t.name for t in result.tools]


def text_of(result):
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


# ---- stdio -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_stdio_read_only_agent_sees_no_write_tool(tenant, audit_file):
    with open(os.devnull, "w") as errlog:
        async with stdio_session(tenant, "reader", audit_file, errlog) as session:
            tools = await session.list_tools()
    names = tool_names(tools)
    assert "users_get" in names and "users_list" in names
    assert not any(n in names for n in ["users_create", "users_update", "users_delete", "users_assign_roles"])
    for t in tools.tools:
        assert t.annotations.read_only_hint is True, t.name
        assert t.input_schema["additionalProperties"] is False, t.name
    assert tenant.api_requests() == 0


@pytest.mark.anyio
async def test_stdio_allowed_read_is_answered_by_the_tenant(tenant, audit_file):
    with open(os.devnull, "w") as errlog:
        async with stdio_session(tenant, "reader", audit_file, errlog) as session:
            result = await session.call_tool("users_get", {"id": tenant.info["user_id"]})
            listed = await session.call_tool("users_list", {"per_page": 10})
    assert not result.is_error, text_of(result)
    assert result.structured_content["email"] == "alice@example.com"
    assert "alice@example.com" in text_of(result)
    assert len(listed.structured_content["users"]) == 10 and listed.structured_content["next"] == 1
    assert tenant.api_requests() == 2
    assert [r["code"] for r in records(audit_file)] == ["allowed", "allowed"]


@pytest.mark.anyio
async def test_stdio_denied_write_sends_nothing_and_is_audited(tenant, audit_file):
    with open(os.devnull, "w") as errlog:
        async with stdio_session(tenant, "writer", audit_file, errlog) as session:
            # rol_Admin is not on the writer's allow-list.
            denied = await session.call_tool(
                "users_assign_roles", {"id": tenant.info["user_id"], "roles": ["rol_Admin"]}
            )
            # writer was not given users_delete at all.
            not_given = await session.call_tool("users_delete", {"id": tenant.info["user_id"]})
    assert denied.is_error
    assert denied.structured_content["error"]["code"] == "not_allow_listed"
    assert "Denied by policy" in text_of(denied) and "rol_Admin" in text_of(denied)
    assert not_given.is_error and not_given.structured_content["error"]["code"] == "tool_not_granted"
    assert tenant.api_requests() == 0
    assert tenant.ask("user " + tenant.info["user_id"]) is not None
    recs = records(audit_file)
    assert [(r["agent"], r["operation"], r["decision"], r["code"]) for r in recs] == [
        ("writer", "users.assign_roles", "denied", "not_allow_listed"),
        ("writer", "users.delete", "denied", "tool_not_granted"),
    ]


@pytest.mark.anyio
async def test_stdio_undeclared_argument_is_refused(tenant, audit_file):
    with tempfile.TemporaryFile("w+") as errlog:
        async with stdio_session(tenant, "writer", audit_file, errlog) as session:
            result = await session.call_tool(
                "users_update", {"id": tenant.info["user_id"], "nickname": "x", "is_admin": True}
            )
        errlog.seek(0)
        log = errlog.read()
    assert result.is_error
    assert result.structured_content["error"]["code"] == "invalid_arguments"
    assert "is_admin" in text_of(result)
    assert tenant.api_requests() == 0
    assert records(audit_file)[0]["code"] == "invalid_arguments"
    # No secret in the gateway's log (at debug level) or the audit trail.
    for out in [log, audit_file.read_text()]:
        assert tenant.info["client_secret"] not in out
        assert "eyJ" not in out
        assert READER_KEY not in out and WRITER_KEY not in out


@pytest.mark.anyio
async def test_stdio_approval_required_then_approved_runs_once(tenant, audit_file):
    user = tenant.info["user_id"]
    with open(os.devnull, "w") as errlog:
        async with stdio_session(tenant, "cleaner", audit_file, errlog) as session:
            assert "users_delete" in tool_names(await session.list_tools())
            first = await session.call_tool("users_delete", {"id": user})
            assert first.is_error
            error = first.structured_content["error"]
            assert error["code"] == "approval_required", text_of(first)
            approval = error["approval"]
            assert approval["id"].startswith("apr_")
            assert approval["request"] == f"cleaner wants to delete user {user}"
            assert approval["approvers"] == ["alice@acme.test"]
            assert approval["expires_at"].endswith("Z")
            text = text_of(first)
            assert "Nothing was sent" in text and "alice@acme.test" in text
            assert approval["id"] in text and "You cannot approve it yourself" in text
            # Who decides, never how: no command line the model could run itself.
            assert "approvals approve" not in text and "approve_with" not in approval
            assert tenant.api_requests() == 0

            # A human approves from another terminal, with the gateway's --audit file.
            decided = subprocess.run(
                [GATEWAY, "approvals", "approve", approval["id"], "--by", "alice@acme.test",
                 "--audit", str(audit_file)],
                capture_output=True, text=True, env={}, timeout=60,
            )
            assert decided.returncode == 0, decided.stderr
            assert tenant.api_requests() == 0

            retry = await session.call_tool("users_delete", {"id": user})
            assert not retry.is_error, text_of(retry)
            assert tenant.api_requests() == 1
            again = await session.call_tool("users_delete", {"id": user})
            assert again.structured_content["error"]["code"] == "approval_required"
            assert again.structured_content["error"]["approval"]["id"] != approval["id"]
    assert tenant.api_requests() == 1
    assert tenant.ask("requests")["requests"] == [["DELETE", "/api/v2/users/" + user.replace("|", "%7C")]]
    events = [r["approval"]["event"] for r in all_records(audit_file) if r.get("approval")]
    assert events[:3] == ["requested", "approved", "consumed"], events
    verified = subprocess.run([GATEWAY, "audit", "verify", str(audit_file)], capture_output=True, text=True, env={})
    assert verified.returncode == 0 and verified.stdout.startswith("intact, "), verified.stdout


# An agent whose approvals the user of its MCP client decides (elicitation).
CLIENT_POLICY = """
schema_version = 1

[agents.asker]
resources = { users = "full" }
approve = ["delete_users"]
approval = "client"
"""


def client_policy(audit_file):
    path = audit_file.parent / "client-policy.toml"
    path.write_text(CLIENT_POLICY)
    return path


class Human:
    """An elicitation callback answering `decision` with `answer` (or declining)."""

    def __init__(self, answer):
        self.answer = answer
        self.asked = []

    async def __call__(self, context, params):
        self.asked.append(params)
        if self.answer == "decline":
            return types.ElicitResult(action="decline")
        return types.ElicitResult(action="accept", content={"decision": self.answer})


@pytest.mark.anyio
async def test_stdio_client_approval_through_elicitation_runs_once(tenant, audit_file):
    user = tenant.info["user_id"]
    human = Human("approve")
    with open(os.devnull, "w") as errlog:
        async with stdio_session(
            tenant, "asker", audit_file, errlog, policy=client_policy(audit_file), elicitation_callback=human
        ) as session:
            result = await session.call_tool("users_delete", {"id": user})
            assert not result.is_error, text_of(result)
    assert len(human.asked) == 1
    asked = human.asked[0]
    assert f"asker wants to delete user {user}" in asked.message
    assert "apr_" in asked.message
    assert asked.requested_schema["required"] == ["decision"]
    assert tenant.ask("requests")["requests"] == [["DELETE", "/api/v2/users/" + user.replace("|", "%7C")]]
    events = [(r["approval"]["event"], r["approval"].get("by")) for r in all_records(audit_file) if r.get("approval")]
    assert events == [
        ("requested", None),
        ("approved", "mcp-client:asker"),
        ("consumed", "mcp-client:asker"),
    ], events
    verified = subprocess.run([GATEWAY, "audit", "verify", str(audit_file)], capture_output=True, text=True, env={})
    assert verified.returncode == 0 and verified.stdout.startswith("intact, "), verified.stdout


@pytest.mark.anyio
async def test_stdio_client_declining_the_elicitation_sends_nothing(tenant, audit_file):
    user = tenant.info["user_id"]
    human = Human("decline")
    with open(os.devnull, "w") as errlog:
        async with stdio_session(
            tenant, "asker", audit_file, errlog, policy=client_policy(audit_file), elicitation_callback=human
        ) as session:
            result = await session.call_tool("users_delete", {"id": user})
            assert result.is_error
            assert result.structured_content["error"]["code"] == "approval_denied", text_of(result)
    assert len(human.asked) == 1
    assert tenant.api_requests() == 0
    events = [(r["approval"]["event"], r["approval"].get("by")) for r in all_records(audit_file) if r.get("approval")]
    assert events == [("requested", None), ("denied", "mcp-client:asker")], events


@pytest.mark.anyio
async def test_stdio_client_without_elicitation_gets_the_operator_answer(tenant, audit_file):
    user = tenant.info["user_id"]
    with open(os.devnull, "w") as errlog:
        async with stdio_session(tenant, "asker", audit_file, errlog, policy=client_policy(audit_file)) as session:
            result = await session.call_tool("users_delete", {"id": user})
            assert result.structured_content["error"]["code"] == "approval_required", text_of(result)
            assert "did not declare the elicitation capability" in text_of(result)
    assert tenant.api_requests() == 0


# ---- HTTP --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_http_wrong_or_missing_key_gets_401(tenant, http_gateway, audit_file):
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
    }
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    async with httpx2.AsyncClient() as client:
        for auth in [None, "Bearer not-a-key", f"Bearer {READER_KEY}x"]:
            h = dict(headers)
            if auth:
                h["Authorization"] = auth
            resp = await client.post(http_gateway.url, json=init, headers=h)
            assert resp.status_code == 401, auth
            assert "jsonrpc" not in resp.text
    # The SDK's client with a wrong key fails to connect.
    with pytest.raises(Exception):
        async with http_session(http_gateway.url, "wrong-key") as session:
            await session.list_tools()
    recs = records(audit_file)
    assert len(recs) >= 3 and all(r["code"] == "unauthenticated" for r in recs)
    assert all("not-a-key" not in json.dumps(r) for r in recs)
    assert tenant.api_requests() == 0


@pytest.mark.anyio
async def test_http_two_agents_with_different_keys_at_once(tenant, http_gateway, audit_file):
    user = tenant.info["user_id"]
    async with http_session(http_gateway.url, READER_KEY) as reader, http_session(
        http_gateway.url, WRITER_KEY
    ) as writer:
        reader_tools, writer_tools = tool_names(await reader.list_tools()), tool_names(await writer.list_tools())
        assert "users_update" not in reader_tools and "users_update" in writer_tools
        results = {}

        async def run(name, session, nickname):
            results[name] = await session.call_tool("users_update", {"id": user, "nickname": nickname})

        async with anyio.create_task_group() as tg:
            tg.start_soon(run, "reader", reader, "by-reader")
            tg.start_soon(run, "writer", writer, "by-writer")
        read = await reader.call_tool("users_get", {"id": user})
    assert results["reader"].is_error
    assert results["reader"].structured_content["error"]["code"] == "tool_not_granted"
    assert not results["writer"].is_error, text_of(results["writer"])
    assert read.structured_content["nickname"] == "by-writer"
    assert tenant.ask("user " + user)["nickname"] == "by-writer"
    sent = tenant.ask("requests")["requests"]
    assert [m for m, _ in sent].count("PATCH") == 1
    by_agent = sorted((r["agent"], r["operation"], r["code"]) for r in records(audit_file))
    assert by_agent == [
        ("reader", "users.get", "allowed"),
        ("reader", "users.update", "tool_not_granted"),
        ("writer", "users.update", "allowed"),
    ]
    # The writer's update was recorded before it was sent: intent, then outcome, one call id.
    writes = [(r["phase"], r["call_id"]) for r in all_records(audit_file) if r["agent"] == "writer"]
    assert [p for p, _ in writes] == ["intent", "outcome"] and writes[0][1] == writes[1][1], writes
