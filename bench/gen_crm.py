#!/usr/bin/env python3
"""Writes a Salesforce Data Loader export of accounts and opportunities for
the import benchmark: 18-character ids with valid checksums, owners by
email, ISO dates, every stage of the default stage map.
Usage: gen_crm.py ROWS ACCOUNTS SELLERS OUT_DIR"""
import csv, random, sys

ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def sf_id(prefix, n):
    body = prefix + "5g000" + "".join(CHARS[(n // 62 ** i) % 62] for i in range(7))
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, c in enumerate(body[chunk * 5:chunk * 5 + 5]):
            if c.isupper():
                bits |= 1 << i
        suffix += ALPHA[bits]
    return body + suffix


def main():
    rows, accounts, sellers, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rnd = random.Random(7)
    stages = ["Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
              "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
              "Closed Won", "Closed Lost"]
    with open(f"{out}/accounts.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Name", "Owner.Email", "Industry", "LastModifiedDate"])
        for a in range(accounts):
            w.writerow([sf_id("001", a), f"Account {a}", f"seller{a % sellers}@bench.example",
                        rnd.choice(["Manufacturing", "Retail", "Finance", "Health"]),
                        "2026-10-01T09:00:00.000Z"])
    with open(f"{out}/opportunities.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Name", "AccountId", "Owner.Email", "Amount", "CurrencyIsoCode",
                    "StageName", "CloseDate", "CreatedDate", "LastModifiedDate", "NextStep"])
        for n in range(rows):
            a = rnd.randrange(accounts)
            w.writerow([sf_id("006", n), f"Opportunity {n} – renewal", sf_id("001", a),
                        f"seller{a % sellers}@bench.example",
                        f"{rnd.randrange(1000, 500000)}.{rnd.randrange(100):02d}", "EUR",
                        rnd.choice(stages), f"2027-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
                        f"2026-{rnd.randrange(1, 11):02d}-{rnd.randrange(1, 29):02d}T10:00:00.000Z",
                        "2026-11-20T08:30:00.000Z", rnd.choice(["", "Send proposal", "Call the CFO"])])


if __name__ == "__main__":
    main()
