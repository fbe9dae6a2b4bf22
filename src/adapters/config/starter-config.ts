/**
 * The commented starter patchwise.yaml that `patchwise init` writes. It loads as it stands (one local
 * host), and every section a user is likely to need is shown, commented out, with its choices.
 */
export function starterConfig(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# patchwise configuration. Validate it with: patchwise hosts list
# Reference: docs/configuration.md (every field), docs/inventory.md (hosts, imports, discovery).

# Hosts may also live in separate files, each holding a "hosts:" list like the one below.
# include:
#   - hosts/*.yaml

# SSH settings shared by every host (patchwise runs the system OpenSSH client, so ~/.ssh/config,
# the agent, bastions and certificates all work).
# ssh:
#   identityFile: ~/.ssh/id_ed25519
#   knownHosts: .patchwise/known_hosts

# Providers give restore points (snapshots) and discovery. A host points at one with
# "provider: { name: NAME, id: VM-ID }".
# providers:
#   raff:
#     kind: raff
#     # The API key is read from this environment variable (default RAFF_API_KEY) or from a file;
#     # never write the key itself here.
#     apiKeyEnv: RAFF_API_KEY
#     # apiKeyFile: /etc/patchwise/raff.key
#     # projectId: 00000000-0000-0000-0000-000000000000
#   mycloud:
#     kind: command          # your own CLI; each command is an argument list, run without a shell
#     snapshot: [mycloud, snapshot, create, "{id}"]
#     restore: [mycloud, snapshot, restore, "{snapshot}"]

hosts:
  # tier: 1 production/critical, 2 important, 3 internal or development, 4 archived/low value.
  # exposure: internet (reachable from the internet), internal (private network), isolated.
  # owner: the person or team answerable for the host. A host without tier, exposure or owner is
  # flagged in every report; it is never quietly treated as low risk.
  - name: this-machine
    connection: { local: true }
    tier: 3
    exposure: internal
    environment: development
    owner: me
  # - name: web-1
  #   connection:
  #     ssh: { host: 203.0.113.10, user: root, port: 22 }   # add "jump: bastion.example.com" for a bastion
  #   provider: { name: raff, id: 5f0c6a9e-1111-4c1d-9a5e-0123456789ab }
  #   tier: 1
  #   exposure: internet
  #   environment: production
  #   owner: team-web
  #   services:
  #     - name: website
  #       unit: nginx.service
  #       http: https://203.0.113.10/health
  #     - { name: database, tcp: "10.0.0.5:5432" }
  #   tags: { role: web }

# Policy (tiers, actions, deadlines) is described in docs/configuration.md, maintenance windows,
# freezes and releases in docs/windows.md.
# policy: {}
# windows:
#   - name: web-monthly
#     schedule: "FREQ=MONTHLY;BYDAY=2TU"   # or "cron: 30 2 * * 2#2"
#     offsetDays: 4
#     start: "02:30"
#     duration: 3h
#     timeZone: Europe/Berlin
#     scope: { tiers: [1], tags: { role: web } }
#     owner: team-web
#     impact: auto
#     rollback: snapshot
#     success: [services-healthy, no-pending-reboot, findings-fixed]
`;
}
