# Loaded by Python at start-up when this directory is on PYTHONPATH: the moto server started by
# tests/integration/deploy.test.ts imports it. Two moto bugs stand between `serverless deploy`
# and an emulated account; each fix below makes moto do what AWS does, nothing more.
#
# 1. With IAM enforced, moto re-computes each S3
# request's SigV4 signature from a path and query string that its web server has already
# percent-decoded, so requests the SDK signed correctly fail with SignatureDoesNotMatch when a
# key holds ':' or '+' (the framework's artifact keys hold a timestamp) or a query value holds
# '/' (it lists its artifacts by prefix). This re-encodes both the way SigV4 does for S3
# (RFC 3986; '/' kept in the path) before moto signs; nothing else about moto changes.
from urllib.parse import quote, unquote

import moto.iam.access_control as access_control

_create_aws_request = access_control.S3IAMRequest._create_aws_request


def _encode(part, safe):
    return quote(unquote(part), safe=safe)


def _create_aws_request_with_encoded_url(self):
    path, has_query, query = self._path.partition("?")
    encoded = _encode(path, "/~")
    if has_query:
        pairs = (pair.partition("=") for pair in query.split("&") if pair)
        encoded += "?" + "&".join(f"{_encode(key, '-_.~')}={_encode(value, '-_.~')}" for key, _, value in pairs)
    self._path = encoded
    return _create_aws_request(self)


access_control.S3IAMRequest._create_aws_request = _create_aws_request_with_encoded_url


# 2. moto's CloudFormation passes an AWS::KMS::Key's Tags (CloudFormation's Key/Value shape) straight
# to its KMS API model, which expects TagKey/TagValue, and fails the stack with KeyError. AWS
# accepts Tags on AWS::KMS::Key; this converts the shape, as CloudFormation does.
import moto.kms.models as kms_models

_create_key_from_cloudformation = kms_models.Key.create_from_cloudformation_json.__func__


def _create_key_with_api_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    if "Tags" in properties:
        properties["Tags"] = [{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in properties["Tags"]]
    return _create_key_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


kms_models.Key.create_from_cloudformation_json = classmethod(_create_key_with_api_tags)
