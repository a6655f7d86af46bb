"""A large sales organization for the benchmarks, as SQL on standard output:
MANAGERS managers (default 1,000) with 8 sellers each, every other seller
owning a key account (R11), all in Europe/Berlin; with PER_DIRECTOR, a
director (d00000, …) above each PER_DIRECTOR managers.

    python3 bench/gen_people.py ORG_ID [MANAGERS [PER_DIRECTOR]] > people.sql
"""
import sys
org = sys.argv[1]
managers = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
per_director = int(sys.argv[3]) if len(sys.argv) > 3 else 0
at = "2026-01-01T00:00:00.000000Z"
print("BEGIN;")
rows, roles, emails, accounts = [], [], [], []
if per_director:
    for d in range((managers + per_director - 1) // per_director):
        did = f"d{d:05d}"
        rows.append(f"('{org}', '{did}', 'director{d}@big.example', 'Director {d}', NULL, 'Europe/Berlin', '{at}', '{at}')")
        roles.append(f"('{org}', '{did}', 'director')")
        emails.append(f"('director{d}@big.example', '{org}', '{did}')")
for m in range(managers):
    mid = f"m{m:05d}"
    boss = f"'d{m // per_director:05d}'" if per_director else "NULL"
    rows.append(f"('{org}', '{mid}', 'manager{m}@big.example', 'Manager {m}', {boss}, 'Europe/Berlin', '{at}', '{at}')")
    roles.append(f"('{org}', '{mid}', 'manager')")
    emails.append(f"('manager{m}@big.example', '{org}', '{mid}')")
    for s in range(8):
        sid = f"s{m:05d}{s}"
        rows.append(f"('{org}', '{sid}', 'seller{m}-{s}@big.example', 'Seller {m}-{s}', '{mid}', 'Europe/Berlin', '{at}', '{at}')")
        roles.append(f"('{org}', '{sid}', 'seller')")
        emails.append(f"('seller{m}-{s}@big.example', '{org}', '{sid}')")
        if s % 2 == 0:
            accounts.append(f"('{org}', 'a{m:05d}{s}', 'Key account {m}-{s}', '{sid}', 1, '{at}', '{at}')")
def chunks(head, values):
    for i in range(0, len(values), 500):
        print(head + ",\n".join(values[i:i + 500]) + ";")
chunks("INSERT INTO users (org_id, id, email, name, manager_id, time_zone, created_at, updated_at) VALUES\n", rows)
chunks("INSERT INTO user_roles (org_id, user_id, role) VALUES\n", roles)
chunks("INSERT INTO login_emails (email, org_id, user_id) VALUES\n", emails)
chunks("INSERT INTO accounts (org_id, id, name, owner_id, key_account, created_at, updated_at) VALUES\n", accounts)
print("COMMIT;")
