# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # What every corp.infra read-only AWS module shares; each adds its own platform attribute.
    DOCUMENTATION = r"""
options: {}
notes:
  - On a local connection (every corp.infra inventory's) the module's action plugin runs its read in the task's
    worker process on the controller, without a module process of its own; on any other connection the module
    runs on the host. Either way the AWS options, their environment variables and the retries are amazon.aws's
    (see the collection's C(docs/benchmark.md)).
attributes:
  check_mode:
    support: full
    description: Only reads.
  diff_mode:
    support: none
    description: Only reads.
"""
