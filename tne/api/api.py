from ninja import NinjaAPI

api = NinjaAPI(title="TNE API", version="1", urls_namespace="api")
