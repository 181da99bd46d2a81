import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.filter.resource_name import FilterModule


def test_filter_is_registered_and_builds_names():
    resource_name = FilterModule().filters()["resource_name"]
    assert resource_name("s3", "securedata", "prod", "corp") == "corp-s3-securedata-prod"


def test_filter_error_names_the_filter_and_the_rule():
    resource_name = FilterModule().filters()["resource_name"]
    with pytest.raises(AnsibleFilterError, match=r"corp.infra.resource_name: environment must be .* \(got 'Prod'\)"):
        resource_name("s3", "securedata", "Prod")
