#!/usr/bin/python3
"""The seed's prediction service as a benchmark peer: FastAPI, served by uvicorn,
answering GET /ai/training/predict?message=... with the seed's scikit-learn
pipeline (bench/peers/sklearn_pipeline.py), loaded from the pickle that
`sklearn_pipeline.py train` wrote.

  SEED_MODEL=model.pkl /usr/bin/python3 -m uvicorn seed_service:app --app-dir bench/peers --port 8000
  SEED_MODEL=model.pkl /usr/bin/python3 bench/peers/seed_service.py --port 8000 --workers 2

The first is how the seed ran: one uvicorn process. The second runs N worker
processes with uvicorn's own supervisor (what `uvicorn --workers N` does), on
a listening socket created as IPPROTO_TCP: uvicorn 0.17.6 creates the shared
socket with protocol 0, so asyncio does not set TCP_NODELAY on the accepted
connections, and with keep-alive every response then waits for the client's
delayed ACK (measured here: 52 ms per request instead of 11 ms with one wrk
connection). That would measure a socket option, not the service.

The answer mirrors predict_intent(): the predicted intent, its calibrated
probability and the three most probable intents, most probable first:

  {"message": "...", "predicted_intent": "transfer", "confidence": 0.93,
   "top_intents": {"transfer": 0.93, "balance": 0.02, "bill_due": 0.01}}

The endpoint is a plain `def`: FastAPI runs it in its thread pool, as it
would a blocking scikit-learn call in the seed (an `async def` would block
the event loop instead).
"""
import os
import pickle
import socket
import sys
import warnings

from fastapi import FastAPI, Query

warnings.filterwarnings("ignore")

with open(os.environ["SEED_MODEL"], "rb") as f:
    PIPELINE = pickle.load(f)
CLASSES = [str(c) for c in PIPELINE.classes_]
TOP_K = 3

app = FastAPI(title="seed intent service")


@app.get("/ai/training/predict")
def predict(message: str = Query(..., max_length=65536)):
    proba = PIPELINE.predict_proba([message])[0]
    order = proba.argsort()[::-1][:TOP_K]
    best = int(order[0])
    return {
        "message": message,
        "predicted_intent": CLASSES[best],
        "confidence": float(proba[best]),
        "top_intents": {CLASSES[int(k)]: float(proba[int(k)]) for k in order},
    }


@app.get("/health")
def health():
    return {"status": "ok", "intents": len(CLASSES)}


def main():
    import argparse
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    config = uvicorn.Config("seed_service:app", host=a.host, port=a.port, workers=a.workers)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((a.host, a.port))
    sock.set_inheritable(True)
    server = uvicorn.Server(config)
    Multiprocess(config, target=server.run, sockets=[sock]).run()


if __name__ == "__main__":
    main()
