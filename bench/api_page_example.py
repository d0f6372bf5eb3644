# The API page's own Python example for GET /api/v1/users/balances, as
# published, with only the base URL and keys taken from the environment so
# that it talks to the benchmark's local server.
import time, base64, hmac, hashlib, requests, json, os
base = os.environ["BENCH_BASE"]
method = "/api/v1/users/balances"
uri = base+method
apiKey = os.environ["BENCH_KEY"]
apiSecret = os.environ["BENCH_SECRET"]
apiSecret = base64.b64decode(apiSecret)
stamp = str(int(time.time())*1000)
data = "{}{}".format(apiKey, stamp).encode("utf-8")
signature = hmac.new(apiSecret, data, hashlib.sha256).digest()
signature = base64.b64encode(signature)
headers = {"X-PCK": apiKey, "X-Stamp": stamp, "X-Signature": signature, "Content-Type" : "application/json"}
result = requests.get(url=uri, headers=headers)
result = result.json()
print(json.dumps(result, indent=2))
