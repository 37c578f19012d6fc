#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(import.meta.url);
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// builtin:http
var require_http = __commonJS({
  "builtin:http"(exports, module) {
    module.exports = __require("http");
  }
});

// builtin:https
var require_https = __commonJS({
  "builtin:https"(exports, module) {
    module.exports = __require("https");
  }
});

// node_modules/tunnel/lib/tunnel.js
var require_tunnel = __commonJS({
  "node_modules/tunnel/lib/tunnel.js"(exports) {
    "use strict";
    var net = __require("net");
    var tls = __require("tls");
    var http2 = require_http();
    var https2 = require_https();
    var events = __require("events");
    var assert = __require("assert");
    var util = __require("util");
    exports.httpOverHttp = httpOverHttp2;
    exports.httpsOverHttp = httpsOverHttp2;
    exports.httpOverHttps = httpOverHttps2;
    exports.httpsOverHttps = httpsOverHttps2;
    function httpOverHttp2(options2) {
      var agent = new TunnelingAgent(options2);
      agent.request = http2.request;
      return agent;
    }
    function httpsOverHttp2(options2) {
      var agent = new TunnelingAgent(options2);
      agent.request = http2.request;
      agent.createSocket = createSecureSocket;
      agent.defaultPort = 443;
      return agent;
    }
    function httpOverHttps2(options2) {
      var agent = new TunnelingAgent(options2);
      agent.request = https2.request;
      return agent;
    }
    function httpsOverHttps2(options2) {
      var agent = new TunnelingAgent(options2);
      agent.request = https2.request;
      agent.createSocket = createSecureSocket;
      agent.defaultPort = 443;
      return agent;
    }
    function TunnelingAgent(options2) {
      var self = this;
      self.options = options2 || {};
      self.proxyOptions = self.options.proxy || {};
      self.maxSockets = self.options.maxSockets || http2.Agent.defaultMaxSockets;
      self.requests = [];
      self.sockets = [];
      self.on("free", function onFree(socket, host, port, localAddress) {
        var options3 = toOptions(host, port, localAddress);
        for (var i = 0, len = self.requests.length; i < len; ++i) {
          var pending3 = self.requests[i];
          if (pending3.host === options3.host && pending3.port === options3.port) {
            self.requests.splice(i, 1);
            pending3.request.onSocket(socket);
            return;
          }
        }
        socket.destroy();
        self.removeSocket(socket);
      });
    }
    util.inherits(TunnelingAgent, events.EventEmitter);
    TunnelingAgent.prototype.addRequest = function addRequest(req, host, port, localAddress) {
      var self = this;
      var options2 = mergeOptions({ request: req }, self.options, toOptions(host, port, localAddress));
      if (self.sockets.length >= this.maxSockets) {
        self.requests.push(options2);
        return;
      }
      self.createSocket(options2, function(socket) {
        socket.on("free", onFree);
        socket.on("close", onCloseOrRemove);
        socket.on("agentRemove", onCloseOrRemove);
        req.onSocket(socket);
        function onFree() {
          self.emit("free", socket, options2);
        }
        function onCloseOrRemove(err) {
          self.removeSocket(socket);
          socket.removeListener("free", onFree);
          socket.removeListener("close", onCloseOrRemove);
          socket.removeListener("agentRemove", onCloseOrRemove);
        }
      });
    };
    TunnelingAgent.prototype.createSocket = function createSocket(options2, cb) {
      var self = this;
      var placeholder = {};
      self.sockets.push(placeholder);
      var connectOptions = mergeOptions({}, self.proxyOptions, {
        method: "CONNECT",
        path: options2.host + ":" + options2.port,
        agent: false,
        headers: {
          host: options2.host + ":" + options2.port
        }
      });
      if (options2.localAddress) {
        connectOptions.localAddress = options2.localAddress;
      }
      if (connectOptions.proxyAuth) {
        connectOptions.headers = connectOptions.headers || {};
        connectOptions.headers["Proxy-Authorization"] = "Basic " + new Buffer(connectOptions.proxyAuth).toString("base64");
      }
      debug2("making CONNECT request");
      var connectReq = self.request(connectOptions);
      connectReq.useChunkedEncodingByDefault = false;
      connectReq.once("response", onResponse);
      connectReq.once("upgrade", onUpgrade);
      connectReq.once("connect", onConnect);
      connectReq.once("error", onError);
      connectReq.end();
      function onResponse(res) {
        res.upgrade = true;
      }
      function onUpgrade(res, socket, head) {
        process.nextTick(function() {
          onConnect(res, socket, head);
        });
      }
      function onConnect(res, socket, head) {
        connectReq.removeAllListeners();
        socket.removeAllListeners();
        if (res.statusCode !== 200) {
          debug2(
            "tunneling socket could not be established, statusCode=%d",
            res.statusCode
          );
          socket.destroy();
          var error2 = new Error("tunneling socket could not be established, statusCode=" + res.statusCode);
          error2.code = "ECONNRESET";
          options2.request.emit("error", error2);
          self.removeSocket(placeholder);
          return;
        }
        if (head.length > 0) {
          debug2("got illegal response body from proxy");
          socket.destroy();
          var error2 = new Error("got illegal response body from proxy");
          error2.code = "ECONNRESET";
          options2.request.emit("error", error2);
          self.removeSocket(placeholder);
          return;
        }
        debug2("tunneling connection has established");
        self.sockets[self.sockets.indexOf(placeholder)] = socket;
        return cb(socket);
      }
      function onError(cause) {
        connectReq.removeAllListeners();
        debug2(
          "tunneling socket could not be established, cause=%s\n",
          cause.message,
          cause.stack
        );
        var error2 = new Error("tunneling socket could not be established, cause=" + cause.message);
        error2.code = "ECONNRESET";
        options2.request.emit("error", error2);
        self.removeSocket(placeholder);
      }
    };
    TunnelingAgent.prototype.removeSocket = function removeSocket(socket) {
      var pos = this.sockets.indexOf(socket);
      if (pos === -1) {
        return;
      }
      this.sockets.splice(pos, 1);
      var pending3 = this.requests.shift();
      if (pending3) {
        this.createSocket(pending3, function(socket2) {
          pending3.request.onSocket(socket2);
        });
      }
    };
    function createSecureSocket(options2, cb) {
      var self = this;
      TunnelingAgent.prototype.createSocket.call(self, options2, function(socket) {
        var hostHeader = options2.request.getHeader("host");
        var tlsOptions = mergeOptions({}, self.options, {
          socket,
          servername: hostHeader ? hostHeader.replace(/:.*$/, "") : options2.host
        });
        var secureSocket = tls.connect(0, tlsOptions);
        self.sockets[self.sockets.indexOf(socket)] = secureSocket;
        cb(secureSocket);
      });
    }
    function toOptions(host, port, localAddress) {
      if (typeof host === "string") {
        return {
          host,
          port,
          localAddress
        };
      }
      return host;
    }
    function mergeOptions(target) {
      for (var i = 1, len = arguments.length; i < len; ++i) {
        var overrides = arguments[i];
        if (typeof overrides === "object") {
          var keys = Object.keys(overrides);
          for (var j = 0, keyLen = keys.length; j < keyLen; ++j) {
            var k = keys[j];
            if (overrides[k] !== void 0) {
              target[k] = overrides[k];
            }
          }
        }
      }
      return target;
    }
    var debug2;
    if (process.env.NODE_DEBUG && /\btunnel\b/.test(process.env.NODE_DEBUG)) {
      debug2 = function() {
        var args = Array.prototype.slice.call(arguments);
        if (typeof args[0] === "string") {
          args[0] = "TUNNEL: " + args[0];
        } else {
          args.unshift("TUNNEL:");
        }
        console.error.apply(console, args);
      };
    } else {
      debug2 = function() {
      };
    }
    exports.debug = debug2;
  }
});

// node_modules/tunnel/index.js
var require_tunnel2 = __commonJS({
  "node_modules/tunnel/index.js"(exports, module) {
    module.exports = require_tunnel();
  }
});

// node_modules/pend/index.js
var require_pend = __commonJS({
  "node_modules/pend/index.js"(exports, module) {
    module.exports = Pend;
    function Pend() {
      this.pending = 0;
      this.max = Infinity;
      this.listeners = [];
      this.waiting = [];
      this.error = null;
    }
    Pend.prototype.go = function(fn) {
      if (this.pending < this.max) {
        pendGo(this, fn);
      } else {
        this.waiting.push(fn);
      }
    };
    Pend.prototype.wait = function(cb) {
      if (this.pending === 0) {
        cb(this.error);
      } else {
        this.listeners.push(cb);
      }
    };
    Pend.prototype.hold = function() {
      return pendHold(this);
    };
    function pendHold(self) {
      self.pending += 1;
      var called = false;
      return onCb;
      function onCb(err) {
        if (called) throw new Error("callback called twice");
        called = true;
        self.error = self.error || err;
        self.pending -= 1;
        if (self.waiting.length > 0 && self.pending < self.max) {
          pendGo(self, self.waiting.shift());
        } else if (self.pending === 0) {
          var listeners = self.listeners;
          self.listeners = [];
          listeners.forEach(cbListener);
        }
      }
      function cbListener(listener) {
        listener(self.error);
      }
    }
    function pendGo(self, fn) {
      fn(pendHold(self));
    }
  }
});

// node_modules/yauzl/fd-slicer.js
var require_fd_slicer = __commonJS({
  "node_modules/yauzl/fd-slicer.js"(exports) {
    var fs3 = __require("fs");
    var util = __require("util");
    var stream = __require("stream");
    var Readable4 = stream.Readable;
    var PassThrough2 = stream.PassThrough;
    var Pend = require_pend();
    var EventEmitter = __require("events").EventEmitter;
    exports.BufferSlicer = BufferSlicer;
    exports.FdSlicer = FdSlicer;
    util.inherits(FdSlicer, EventEmitter);
    function FdSlicer(fd) {
      EventEmitter.call(this);
      this.fd = fd;
      this.pend = new Pend();
      this.pend.max = 1;
      this.refCount = 0;
    }
    FdSlicer.prototype.read = function(buffer2, offset, length, position, callback) {
      var self = this;
      self.pend.go(function(cb) {
        fs3.read(self.fd, buffer2, offset, length, position, function(err, bytesRead, buffer3) {
          cb();
          callback(err, bytesRead, buffer3);
        });
      });
    };
    FdSlicer.prototype.createReadStream = function(options2) {
      return new ReadStream(this, options2);
    };
    FdSlicer.prototype.ref = function() {
      this.refCount += 1;
    };
    FdSlicer.prototype.unref = function() {
      var self = this;
      self.refCount -= 1;
      if (self.refCount < 0) throw new Error("invalid unref");
      if (self.refCount > 0) return;
      fs3.close(self.fd, onCloseDone);
      function onCloseDone(err) {
        if (err) {
          self.emit("error", err);
        } else {
          self.emit("close");
        }
      }
    };
    util.inherits(ReadStream, Readable4);
    function ReadStream(context, options2) {
      options2 = options2 || {};
      Readable4.call(this, options2);
      this.context = context;
      this.context.ref();
      this.start = options2.start || 0;
      this.endOffset = options2.end;
      this.pos = this.start;
    }
    ReadStream.prototype._read = function(n) {
      var self = this;
      var toRead = Math.min(self._readableState.highWaterMark, n);
      if (self.endOffset != null) {
        toRead = Math.min(toRead, self.endOffset - self.pos);
      }
      if (toRead <= 0) {
        self.push(null);
        this._cleanup();
        return;
      }
      self.context.pend.go(function(cb) {
        var buffer2 = Buffer.allocUnsafe(toRead);
        fs3.read(self.context.fd, buffer2, 0, toRead, self.pos, function(err, bytesRead) {
          if (err) {
            self.destroy(err);
          } else if (bytesRead === 0) {
            self.push(null);
            self._cleanup();
          } else {
            self.pos += bytesRead;
            self.push(buffer2.slice(0, bytesRead));
          }
          cb();
        });
      });
    };
    ReadStream.prototype._destroy = function(err, cb) {
      this._cleanup();
      cb(err);
    };
    ReadStream.prototype._cleanup = function() {
      if (this.context != null) {
        this.context.unref();
        this.context = null;
      }
    };
    util.inherits(BufferSlicer, EventEmitter);
    function BufferSlicer(buffer2) {
      EventEmitter.call(this);
      this.refCount = 0;
      this.buffer = buffer2;
    }
    BufferSlicer.prototype.read = function(buffer2, offset, length, position, callback) {
      if (!(0 <= offset && offset <= buffer2.length)) throw new RangeError("offset outside buffer: 0 <= " + offset + " <= " + buffer2.length);
      if (position < 0) throw new RangeError("position is negative: " + position);
      if (offset + length > buffer2.length) {
        length = buffer2.length - offset;
      }
      if (position + length > this.buffer.length) {
        length = this.buffer.length - position;
      }
      if (length <= 0) {
        setImmediate(function() {
          callback(null, 0);
        });
        return;
      }
      this.buffer.copy(buffer2, offset, position, position + length);
      setImmediate(function() {
        callback(null, length);
      });
    };
    BufferSlicer.prototype.createReadStream = function(options2) {
      options2 = options2 || {};
      var readStream = new PassThrough2(options2);
      readStream.start = options2.start || 0;
      readStream.endOffset = options2.end;
      readStream.pos = readStream.endOffset || this.buffer.length;
      var entireSlice = this.buffer.slice(readStream.start, readStream.pos);
      var maxChunkSize = 65536;
      var offset = 0;
      while (true) {
        var nextOffset = offset + maxChunkSize;
        if (nextOffset >= entireSlice.length) {
          if (offset < entireSlice.length) {
            readStream.write(entireSlice.slice(offset, entireSlice.length));
          }
          break;
        }
        readStream.write(entireSlice.slice(offset, nextOffset));
        offset = nextOffset;
      }
      readStream.end();
      return readStream;
    };
    BufferSlicer.prototype.ref = function() {
      this.refCount += 1;
    };
    BufferSlicer.prototype.unref = function() {
      this.refCount -= 1;
      if (this.refCount < 0) {
        throw new Error("invalid unref");
      }
    };
  }
});

// node_modules/yauzl/crc32.js
var require_crc32 = __commonJS({
  "node_modules/yauzl/crc32.js"(exports, module) {
    var CRC_TABLE = new Int32Array([
      0,
      1996959894,
      3993919788,
      2567524794,
      124634137,
      1886057615,
      3915621685,
      2657392035,
      249268274,
      2044508324,
      3772115230,
      2547177864,
      162941995,
      2125561021,
      3887607047,
      2428444049,
      498536548,
      1789927666,
      4089016648,
      2227061214,
      450548861,
      1843258603,
      4107580753,
      2211677639,
      325883990,
      1684777152,
      4251122042,
      2321926636,
      335633487,
      1661365465,
      4195302755,
      2366115317,
      997073096,
      1281953886,
      3579855332,
      2724688242,
      1006888145,
      1258607687,
      3524101629,
      2768942443,
      901097722,
      1119000684,
      3686517206,
      2898065728,
      853044451,
      1172266101,
      3705015759,
      2882616665,
      651767980,
      1373503546,
      3369554304,
      3218104598,
      565507253,
      1454621731,
      3485111705,
      3099436303,
      671266974,
      1594198024,
      3322730930,
      2970347812,
      795835527,
      1483230225,
      3244367275,
      3060149565,
      1994146192,
      31158534,
      2563907772,
      4023717930,
      1907459465,
      112637215,
      2680153253,
      3904427059,
      2013776290,
      251722036,
      2517215374,
      3775830040,
      2137656763,
      141376813,
      2439277719,
      3865271297,
      1802195444,
      476864866,
      2238001368,
      4066508878,
      1812370925,
      453092731,
      2181625025,
      4111451223,
      1706088902,
      314042704,
      2344532202,
      4240017532,
      1658658271,
      366619977,
      2362670323,
      4224994405,
      1303535960,
      984961486,
      2747007092,
      3569037538,
      1256170817,
      1037604311,
      2765210733,
      3554079995,
      1131014506,
      879679996,
      2909243462,
      3663771856,
      1141124467,
      855842277,
      2852801631,
      3708648649,
      1342533948,
      654459306,
      3188396048,
      3373015174,
      1466479909,
      544179635,
      3110523913,
      3462522015,
      1591671054,
      702138776,
      2966460450,
      3352799412,
      1504918807,
      783551873,
      3082640443,
      3233442989,
      3988292384,
      2596254646,
      62317068,
      1957810842,
      3939845945,
      2647816111,
      81470997,
      1943803523,
      3814918930,
      2489596804,
      225274430,
      2053790376,
      3826175755,
      2466906013,
      167816743,
      2097651377,
      4027552580,
      2265490386,
      503444072,
      1762050814,
      4150417245,
      2154129355,
      426522225,
      1852507879,
      4275313526,
      2312317920,
      282753626,
      1742555852,
      4189708143,
      2394877945,
      397917763,
      1622183637,
      3604390888,
      2714866558,
      953729732,
      1340076626,
      3518719985,
      2797360999,
      1068828381,
      1219638859,
      3624741850,
      2936675148,
      906185462,
      1090812512,
      3747672003,
      2825379669,
      829329135,
      1181335161,
      3412177804,
      3160834842,
      628085408,
      1382605366,
      3423369109,
      3138078467,
      570562233,
      1426400815,
      3317316542,
      2998733608,
      733239954,
      1555261956,
      3268935591,
      3050360625,
      752459403,
      1541320221,
      2607071920,
      3965973030,
      1969922972,
      40735498,
      2617837225,
      3943577151,
      1913087877,
      83908371,
      2512341634,
      3803740692,
      2075208622,
      213261112,
      2463272603,
      3855990285,
      2094854071,
      198958881,
      2262029012,
      4057260610,
      1759359992,
      534414190,
      2176718541,
      4139329115,
      1873836001,
      414664567,
      2282248934,
      4279200368,
      1711684554,
      285281116,
      2405801727,
      4167216745,
      1634467795,
      376229701,
      2685067896,
      3608007406,
      1308918612,
      956543938,
      2808555105,
      3495958263,
      1231636301,
      1047427035,
      2932959818,
      3654703836,
      1088359270,
      936918e3,
      2847714899,
      3736837829,
      1202900863,
      817233897,
      3183342108,
      3401237130,
      1404277552,
      615818150,
      3134207493,
      3453421203,
      1423857449,
      601450431,
      3009837614,
      3294710456,
      1567103746,
      711928724,
      3020668471,
      3272380065,
      1510334235,
      755167117
    ]);
    function crc323(buf) {
      let crc = -1;
      for (let x of buf) {
        crc = CRC_TABLE[(crc ^ x) & 255] ^ crc >>> 8;
      }
      return (crc ^ -1) >>> 0;
    }
    module.exports = crc323;
  }
});

// node_modules/yauzl/index.js
var require_yauzl = __commonJS({
  "node_modules/yauzl/index.js"(exports) {
    var fs3 = __require("fs");
    var zlib = __require("zlib");
    var fd_slicer = require_fd_slicer();
    var util = __require("util");
    var EventEmitter = __require("events").EventEmitter;
    var Transform = __require("stream").Transform;
    var PassThrough2 = __require("stream").PassThrough;
    var Writable = __require("stream").Writable;
    var crc323 = typeof zlib.crc32 === "function" ? zlib.crc32 : require_crc32();
    exports.open = open4;
    exports.fromFd = fromFd;
    exports.fromBuffer = fromBuffer;
    exports.fromRandomAccessReader = fromRandomAccessReader;
    exports.openPromise = openPromise;
    exports.fromFdPromise = fromFdPromise;
    exports.fromBufferPromise = fromBufferPromise;
    exports.fromRandomAccessReaderPromise = fromRandomAccessReaderPromise;
    exports.dosDateTimeToDate = dosDateTimeToDate;
    exports.getFileNameLowLevel = getFileNameLowLevel;
    exports.validateFileName = validateFileName;
    exports.parseExtraFields = parseExtraFields;
    exports.ZipFile = ZipFile;
    exports.Entry = Entry;
    exports.LocalFileHeader = LocalFileHeader;
    exports.RandomAccessReader = RandomAccessReader;
    function openPromise(path, options2) {
      return new Promise((resolve3, reject) => {
        open4(path, { ...options2, lazyEntries: true }, function(err, zipfile) {
          if (err) return reject(err);
          resolve3(zipfile);
        });
      });
    }
    function fromFdPromise(fd, options2) {
      return new Promise((resolve3, reject) => {
        fromFd(fd, { ...options2, lazyEntries: true }, function(err, zipfile) {
          if (err) return reject(err);
          resolve3(zipfile);
        });
      });
    }
    function fromBufferPromise(buffer2, options2) {
      return new Promise((resolve3, reject) => {
        fromBuffer(buffer2, { ...options2, lazyEntries: true }, function(err, zipfile) {
          if (err) return reject(err);
          resolve3(zipfile);
        });
      });
    }
    function fromRandomAccessReaderPromise(reader, totalSize, options2) {
      return new Promise((resolve3, reject) => {
        fromRandomAccessReader(reader, totalSize, { ...options2, lazyEntries: true }, function(err, zipfile) {
          if (err) return reject(err);
          resolve3(zipfile);
        });
      });
    }
    function open4(path, options2, callback) {
      if (typeof options2 === "function") {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      if (options2.autoClose == null) options2.autoClose = true;
      if (options2.lazyEntries == null) options2.lazyEntries = false;
      if (options2.decodeStrings == null) options2.decodeStrings = true;
      if (options2.validateEntrySizes == null) options2.validateEntrySizes = true;
      if (options2.strictFileNames == null) options2.strictFileNames = false;
      if (callback == null) callback = defaultCallback;
      fs3.open(path, "r", function(err, fd) {
        if (err) return callback(err);
        fromFd(fd, options2, function(err2, zipfile) {
          if (err2) fs3.close(fd, defaultCallback);
          callback(err2, zipfile);
        });
      });
    }
    function fromFd(fd, options2, callback) {
      if (typeof options2 === "function") {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      if (options2.autoClose == null) options2.autoClose = false;
      if (options2.lazyEntries == null) options2.lazyEntries = false;
      if (options2.decodeStrings == null) options2.decodeStrings = true;
      if (options2.validateEntrySizes == null) options2.validateEntrySizes = true;
      if (options2.strictFileNames == null) options2.strictFileNames = false;
      if (callback == null) callback = defaultCallback;
      fs3.fstat(fd, function(err, stats) {
        if (err) return callback(err);
        var reader = new fd_slicer.FdSlicer(fd);
        fromRandomAccessReader(reader, stats.size, options2, callback);
      });
    }
    function fromBuffer(buffer2, options2, callback) {
      if (typeof options2 === "function") {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      options2.autoClose = false;
      if (options2.lazyEntries == null) options2.lazyEntries = false;
      if (options2.decodeStrings == null) options2.decodeStrings = true;
      if (options2.validateEntrySizes == null) options2.validateEntrySizes = true;
      if (options2.strictFileNames == null) options2.strictFileNames = false;
      var reader = new fd_slicer.BufferSlicer(buffer2);
      fromRandomAccessReader(reader, buffer2.length, options2, callback);
    }
    function fromRandomAccessReader(reader, totalSize, options2, callback) {
      if (typeof options2 === "function") {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      if (options2.autoClose == null) options2.autoClose = true;
      if (options2.lazyEntries == null) options2.lazyEntries = false;
      if (options2.decodeStrings == null) options2.decodeStrings = true;
      var decodeStrings = !!options2.decodeStrings;
      if (options2.validateEntrySizes == null) options2.validateEntrySizes = true;
      if (options2.strictFileNames == null) options2.strictFileNames = false;
      if (callback == null) callback = defaultCallback;
      if (typeof totalSize !== "number") throw new Error("expected totalSize parameter to be a number");
      if (totalSize > Number.MAX_SAFE_INTEGER) {
        throw new Error("zip file too large. only file sizes up to 2^52 are supported due to JavaScript's Number type being an IEEE 754 double.");
      }
      reader.ref();
      var eocdrWithoutCommentSize = 22;
      var zip64EocdlSize = 20;
      var maxCommentSize = 65535;
      var bufferSize = Math.min(zip64EocdlSize + eocdrWithoutCommentSize + maxCommentSize, totalSize);
      var buffer2 = newBuffer(bufferSize);
      var bufferReadStart = totalSize - buffer2.length;
      readAndAssertNoEof(reader, buffer2, 0, bufferSize, bufferReadStart, function(err) {
        if (err) return callback(err);
        for (var i = bufferSize - eocdrWithoutCommentSize; i >= 0; i -= 1) {
          if (buffer2.readUInt32LE(i) !== 101010256) continue;
          var eocdrBuffer = buffer2.subarray(i);
          var diskNumber = eocdrBuffer.readUInt16LE(4);
          var entryCount = eocdrBuffer.readUInt16LE(10);
          var centralDirectoryOffset = eocdrBuffer.readUInt32LE(16);
          var commentLength = eocdrBuffer.readUInt16LE(20);
          var expectedCommentLength = eocdrBuffer.length - eocdrWithoutCommentSize;
          if (commentLength !== expectedCommentLength) {
            return callback(new Error("Invalid comment length. Expected: " + expectedCommentLength + ". Found: " + commentLength + ". Are there extra bytes at the end of the file? Or is the end of central dir signature `PK\u263A\u263B` in the comment?"));
          }
          var comment = decodeStrings ? decodeBuffer(eocdrBuffer.subarray(22), false) : eocdrBuffer.subarray(22);
          if (i - zip64EocdlSize >= 0 && buffer2.readUInt32LE(i - zip64EocdlSize) === 117853008) {
            var zip64EocdlBuffer = buffer2.subarray(i - zip64EocdlSize, i - zip64EocdlSize + zip64EocdlSize);
            var zip64EocdrOffset = readUInt64LE(zip64EocdlBuffer, 8);
            var zip64EocdrBuffer = newBuffer(56);
            return readAndAssertNoEof(reader, zip64EocdrBuffer, 0, zip64EocdrBuffer.length, zip64EocdrOffset, function(err2) {
              if (err2) return callback(err2);
              if (zip64EocdrBuffer.readUInt32LE(0) !== 101075792) {
                return callback(new Error("invalid zip64 end of central directory record signature"));
              }
              diskNumber = zip64EocdrBuffer.readUInt32LE(16);
              if (diskNumber !== 0) {
                return callback(new Error("multi-disk zip files are not supported: found disk number: " + diskNumber));
              }
              entryCount = readUInt64LE(zip64EocdrBuffer, 32);
              centralDirectoryOffset = readUInt64LE(zip64EocdrBuffer, 48);
              return callback(null, new ZipFile(reader, centralDirectoryOffset, totalSize, entryCount, comment, options2.autoClose, options2.lazyEntries, decodeStrings, options2.validateEntrySizes, options2.strictFileNames));
            });
          }
          if (diskNumber !== 0) {
            return callback(new Error("multi-disk zip files are not supported: found disk number: " + diskNumber));
          }
          return callback(null, new ZipFile(reader, centralDirectoryOffset, totalSize, entryCount, comment, options2.autoClose, options2.lazyEntries, decodeStrings, options2.validateEntrySizes, options2.strictFileNames));
        }
        callback(new Error("End of central directory record signature not found. Either not a zip file, or file is truncated."));
      });
    }
    util.inherits(ZipFile, EventEmitter);
    function ZipFile(reader, centralDirectoryOffset, fileSize, entryCount, comment, autoClose, lazyEntries, decodeStrings, validateEntrySizes, strictFileNames) {
      var self = this;
      EventEmitter.call(self);
      self.reader = reader;
      self.reader.on("error", function(err) {
        emitError(self, err);
      });
      self.reader.once("close", function() {
        self.emit("close");
      });
      self.readEntryCursor = centralDirectoryOffset;
      self.fileSize = fileSize;
      self.entryCount = entryCount;
      self.comment = comment;
      self.entriesRead = 0;
      self.autoClose = !!autoClose;
      self.lazyEntries = !!lazyEntries;
      self.decodeStrings = !!decodeStrings;
      self.validateEntrySizes = !!validateEntrySizes;
      self.strictFileNames = !!strictFileNames;
      self.isOpen = true;
      self.emittedError = false;
      self.hasEachEntryBeenCalled = false;
      if (!self.lazyEntries) self._readEntry();
    }
    ZipFile.prototype.close = function() {
      if (!this.isOpen) return;
      this.isOpen = false;
      this.reader.unref();
    };
    function emitErrorAndAutoClose(self, err) {
      if (self.autoClose) self.close();
      emitError(self, err);
    }
    function emitError(self, err) {
      if (self.emittedError) return;
      self.emittedError = true;
      self.emit("error", err);
    }
    ZipFile.prototype.readEntry = function() {
      if (!this.lazyEntries) throw new Error("readEntry() called without lazyEntries:true");
      this._readEntry();
    };
    ZipFile.prototype._readEntry = function() {
      var self = this;
      if (self.entryCount === self.entriesRead) {
        setImmediate(function() {
          if (self.autoClose) self.close();
          if (self.emittedError) return;
          self.emit("end");
        });
        return;
      }
      if (self.emittedError) return;
      var buffer2 = newBuffer(46);
      readAndAssertNoEof(self.reader, buffer2, 0, buffer2.length, self.readEntryCursor, function(err) {
        if (err) return emitErrorAndAutoClose(self, err);
        if (self.emittedError) return;
        var entry = new Entry();
        var signature = buffer2.readUInt32LE(0);
        if (signature !== 33639248) return emitErrorAndAutoClose(self, new Error("invalid central directory file header signature: 0x" + signature.toString(16)));
        entry.versionMadeBy = buffer2.readUInt16LE(4);
        entry.versionNeededToExtract = buffer2.readUInt16LE(6);
        entry.generalPurposeBitFlag = buffer2.readUInt16LE(8);
        entry.compressionMethod = buffer2.readUInt16LE(10);
        entry.lastModFileTime = buffer2.readUInt16LE(12);
        entry.lastModFileDate = buffer2.readUInt16LE(14);
        entry.crc32 = buffer2.readUInt32LE(16);
        entry.compressedSize = buffer2.readUInt32LE(20);
        entry.uncompressedSize = buffer2.readUInt32LE(24);
        entry.fileNameLength = buffer2.readUInt16LE(28);
        entry.extraFieldLength = buffer2.readUInt16LE(30);
        entry.fileCommentLength = buffer2.readUInt16LE(32);
        entry.internalFileAttributes = buffer2.readUInt16LE(36);
        entry.externalFileAttributes = buffer2.readUInt32LE(38);
        entry.relativeOffsetOfLocalHeader = buffer2.readUInt32LE(42);
        if (entry.generalPurposeBitFlag & 64) return emitErrorAndAutoClose(self, new Error("strong encryption is not supported"));
        self.readEntryCursor += 46;
        buffer2 = newBuffer(entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength);
        readAndAssertNoEof(self.reader, buffer2, 0, buffer2.length, self.readEntryCursor, function(err2) {
          if (err2) return emitErrorAndAutoClose(self, err2);
          if (self.emittedError) return;
          entry.fileNameRaw = buffer2.subarray(0, entry.fileNameLength);
          var fileCommentStart = entry.fileNameLength + entry.extraFieldLength;
          entry.extraFieldRaw = buffer2.subarray(entry.fileNameLength, fileCommentStart);
          entry.fileCommentRaw = buffer2.subarray(fileCommentStart, fileCommentStart + entry.fileCommentLength);
          try {
            entry.extraFields = parseExtraFields(entry.extraFieldRaw);
          } catch (err3) {
            return emitErrorAndAutoClose(self, err3);
          }
          if (self.decodeStrings) {
            var isUtf8 = (entry.generalPurposeBitFlag & 2048) !== 0;
            entry.fileComment = decodeBuffer(entry.fileCommentRaw, isUtf8);
            entry.fileName = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, self.strictFileNames);
            var errorMessage = validateFileName(entry.fileName);
            if (errorMessage != null) return emitErrorAndAutoClose(self, new Error(errorMessage));
          } else {
            entry.fileComment = entry.fileCommentRaw;
            entry.fileName = entry.fileNameRaw;
          }
          entry.comment = entry.fileComment;
          self.readEntryCursor += buffer2.length;
          self.entriesRead += 1;
          for (var i = 0; i < entry.extraFields.length; i++) {
            var extraField = entry.extraFields[i];
            if (extraField.id !== 1) continue;
            var zip64EiefBuffer = extraField.data;
            var index = 0;
            if (entry.uncompressedSize === 4294967295) {
              if (index + 8 > zip64EiefBuffer.length) {
                return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include uncompressed size"));
              }
              entry.uncompressedSize = readUInt64LE(zip64EiefBuffer, index);
              index += 8;
            }
            if (entry.compressedSize === 4294967295) {
              if (index + 8 > zip64EiefBuffer.length) {
                return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include compressed size"));
              }
              entry.compressedSize = readUInt64LE(zip64EiefBuffer, index);
              index += 8;
            }
            if (entry.relativeOffsetOfLocalHeader === 4294967295) {
              if (index + 8 > zip64EiefBuffer.length) {
                return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include relative header offset"));
              }
              entry.relativeOffsetOfLocalHeader = readUInt64LE(zip64EiefBuffer, index);
              index += 8;
            }
            break;
          }
          if (self.validateEntrySizes && entry.compressionMethod === 0) {
            var expectedCompressedSize = entry.uncompressedSize;
            if (entry.isEncrypted()) {
              expectedCompressedSize += 12;
            }
            if (entry.compressedSize !== expectedCompressedSize) {
              var msg = "compressed/uncompressed size mismatch for stored file: " + entry.compressedSize + " != " + entry.uncompressedSize;
              return emitErrorAndAutoClose(self, new Error(msg));
            }
          }
          self.emit("entry", entry);
          if (!self.lazyEntries) self._readEntry();
        });
      });
    };
    ZipFile.prototype.eachEntry = function() {
      const self = this;
      if (!self.lazyEntries) throw new Error("eachEntry() requires lazyEntries: true");
      if (self.hasEachEntryBeenCalled) throw new Error("eachEntry() must only be called once per ZipFile");
      self.hasEachEntryBeenCalled = true;
      let pendingResolveReject = null;
      self.on("entry", onEntry);
      self.on("end", onEnd);
      self.on("error", onError);
      function cleanup() {
        self.removeListener("entry", onEntry);
        self.removeListener("end", onEnd);
        self.removeListener("error", onError);
        if (self.autoClose) self.close();
      }
      function onEntry(entry) {
        let { resolve: resolve3 } = pendingResolveReject;
        pendingResolveReject = null;
        resolve3({ value: entry });
      }
      function onEnd() {
        let { resolve: resolve3 } = pendingResolveReject;
        pendingResolveReject = null;
        cleanup();
        resolve3({ done: true });
      }
      function onError(err) {
        let { reject } = pendingResolveReject;
        pendingResolveReject = null;
        cleanup();
        reject(err);
      }
      return {
        [Symbol.asyncIterator]() {
          return this;
        },
        next() {
          const promise = new Promise((resolve3, reject) => {
            if (pendingResolveReject != null) throw new Error("next() called before previous Promise was resolved.");
            pendingResolveReject = { resolve: resolve3, reject };
          });
          self.readEntry();
          return promise;
        },
        return(value) {
          cleanup();
          return Promise.resolve({ done: true, value });
        },
        throw(value) {
          cleanup();
          return Promise.reject(value);
        }
      };
    };
    ZipFile.prototype.openReadStream = function(entry, options2, callback) {
      var self = this;
      var relativeStart = 0;
      var relativeEnd = entry.compressedSize;
      if (callback == null) {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) {
        options2 = {};
      } else {
        if (options2.decodeFileData === false) {
          if (options2.decrypt != null) {
            throw new Error("cannot use options.decrypt when options.decodeFileData === false");
          }
          if (options2.decompress != null) {
            throw new Error("cannot use options.decompress when options.decodeFileData === false");
          }
        } else {
          if (options2.decrypt != null) {
            if (!entry.isEncrypted()) {
              throw new Error("options.decrypt can only be specified for encrypted entries. See also option decodeFileData.");
            }
            if (options2.decrypt !== false) throw new Error("invalid options.decrypt value: " + options2.decrypt);
            if (entry.isCompressed()) {
              if (options2.decompress !== false) throw new Error("entry is encrypted and compressed, and options.decompress !== false. See also option decodeFileData.");
            }
          }
          if (options2.decompress != null) {
            if (!entry.isCompressed()) {
              throw new Error("options.decompress can only be specified for compressed entries. See also option decodeFileData.");
            }
            if (!(options2.decompress === false || options2.decompress === true)) {
              throw new Error("invalid options.decompress value: " + options2.decompress);
            }
            decompress = options2.decompress;
          }
        }
        if (options2.start != null) {
          relativeStart = options2.start;
          if (relativeStart < 0) throw new Error("options.start < 0");
          if (relativeStart > entry.compressedSize) throw new Error("options.start > entry.compressedSize");
        }
        if (options2.end != null) {
          relativeEnd = options2.end;
          if (relativeEnd < 0) throw new Error("options.end < 0");
          if (relativeEnd > entry.compressedSize) throw new Error("options.end > entry.compressedSize");
          if (relativeEnd < relativeStart) throw new Error("options.end < options.start");
        }
      }
      var rawMode = options2.decodeFileData === false || // Explicitly requested raw.
      (entry.compressionMethod === 0 || // Naturally without compression.
      entry.compressionMethod === 8 && options2.decompress === false) && (!entry.isEncrypted() || // Naturally without encryption.
      options2.decrypt === false);
      if (options2.start != null || options2.end != null) {
        if (!rawMode) throw new Error("start/end range require options.decodeFileData === false for non-trivial encoded entries.");
      }
      if (!self.isOpen) return callback(new Error("closed"));
      if (entry.isEncrypted() && !rawMode) {
        if (options2.decrypt !== false) return callback(new Error("entry is encrypted, and options.decodeFileData !== false"));
      }
      var decompress;
      if (rawMode) {
        decompress = false;
      } else if (entry.compressionMethod === 8) {
        decompress = options2.decodeFileData !== true;
      } else {
        return callback(new Error("unsupported compression method: " + entry.compressionMethod));
      }
      self.readLocalFileHeader(entry, { minimal: true }, function(err, localFileHeader) {
        if (err) return callback(err);
        self.openReadStreamLowLevel(
          localFileHeader.fileDataStart,
          entry.compressedSize,
          relativeStart,
          relativeEnd,
          decompress,
          entry.uncompressedSize,
          callback
        );
      });
    };
    ZipFile.prototype.openReadStreamLowLevel = function(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize, callback) {
      var self = this;
      var fileDataEnd = fileDataStart + compressedSize;
      var readStream = self.reader.createReadStream({
        start: fileDataStart + relativeStart,
        end: fileDataStart + relativeEnd
      });
      var endpointStream = readStream;
      if (decompress) {
        var destroyed = false;
        var inflateFilter = zlib.createInflateRaw();
        readStream.on("error", function(err) {
          setImmediate(function() {
            if (!destroyed) inflateFilter.emit("error", err);
          });
        });
        readStream.pipe(inflateFilter);
        if (self.validateEntrySizes) {
          endpointStream = new AssertByteCountStream(uncompressedSize);
          inflateFilter.on("error", function(err) {
            setImmediate(function() {
              if (!destroyed) endpointStream.emit("error", err);
            });
          });
          inflateFilter.pipe(endpointStream);
        } else {
          endpointStream = inflateFilter;
        }
        installDestroyFn(endpointStream, function() {
          destroyed = true;
          if (inflateFilter !== endpointStream) inflateFilter.unpipe(endpointStream);
          readStream.unpipe(inflateFilter);
          readStream.destroy();
        });
      }
      callback(null, endpointStream);
    };
    ZipFile.prototype.readLocalFileHeader = function(entry, options2, callback) {
      var self = this;
      if (callback == null) {
        callback = options2;
        options2 = null;
      }
      if (options2 == null) options2 = {};
      self.reader.ref();
      var buffer2 = newBuffer(30);
      readAndAssertNoEof(self.reader, buffer2, 0, buffer2.length, entry.relativeOffsetOfLocalHeader, function(err) {
        try {
          if (err) return callback(err);
          var signature = buffer2.readUInt32LE(0);
          if (signature !== 67324752) {
            return callback(new Error("invalid local file header signature: 0x" + signature.toString(16)));
          }
          var fileNameLength = buffer2.readUInt16LE(26);
          var extraFieldLength = buffer2.readUInt16LE(28);
          var fileDataStart = entry.relativeOffsetOfLocalHeader + 30 + fileNameLength + extraFieldLength;
          if (fileDataStart + entry.compressedSize > self.fileSize) {
            return callback(new Error("file data overflows file bounds: " + fileDataStart + " + " + entry.compressedSize + " > " + self.fileSize));
          }
          if (options2.minimal) {
            return callback(null, { fileDataStart });
          }
          var localFileHeader = new LocalFileHeader();
          localFileHeader.fileDataStart = fileDataStart;
          localFileHeader.versionNeededToExtract = buffer2.readUInt16LE(4);
          localFileHeader.generalPurposeBitFlag = buffer2.readUInt16LE(6);
          localFileHeader.compressionMethod = buffer2.readUInt16LE(8);
          localFileHeader.lastModFileTime = buffer2.readUInt16LE(10);
          localFileHeader.lastModFileDate = buffer2.readUInt16LE(12);
          localFileHeader.crc32 = buffer2.readUInt32LE(14);
          localFileHeader.compressedSize = buffer2.readUInt32LE(18);
          localFileHeader.uncompressedSize = buffer2.readUInt32LE(22);
          localFileHeader.fileNameLength = fileNameLength;
          localFileHeader.extraFieldLength = extraFieldLength;
          buffer2 = newBuffer(fileNameLength + extraFieldLength);
          self.reader.ref();
          readAndAssertNoEof(self.reader, buffer2, 0, buffer2.length, entry.relativeOffsetOfLocalHeader + 30, function(err2) {
            try {
              if (err2) return callback(err2);
              localFileHeader.fileName = buffer2.subarray(0, fileNameLength);
              localFileHeader.extraField = buffer2.subarray(fileNameLength);
              return callback(null, localFileHeader);
            } finally {
              self.reader.unref();
            }
          });
        } finally {
          self.reader.unref();
        }
      });
    };
    ZipFile.prototype.openReadStreamPromise = function(entry, options2) {
      return new Promise((resolve3, reject) => {
        this.openReadStream(entry, options2, function(err, readStream) {
          if (err) return reject(err);
          resolve3(readStream);
        });
      });
    };
    ZipFile.prototype.openReadStreamLowLevelPromise = function(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize) {
      return new Promise((resolve3, reject) => {
        this.openReadStream(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize, function(err, readStream) {
          if (err) return reject(err);
          resolve3(readStream);
        });
      });
    };
    ZipFile.prototype.readLocalFileHeaderPromise = function(entry, options2) {
      return new Promise((resolve3, reject) => {
        this.readLocalFileHeader(entry, options2, function(err, localFileHeader) {
          if (err) return reject(err);
          resolve3(localFileHeader);
        });
      });
    };
    function Entry() {
    }
    Entry.prototype.getLastModDate = function(options2) {
      if (options2 == null) options2 = {};
      if (!options2.forceDosFormat) {
        for (var i = 0; i < this.extraFields.length; i++) {
          var extraField = this.extraFields[i];
          if (extraField.id === 21589) {
            var data = extraField.data;
            if (data.length < 5) continue;
            var flags = data[0];
            var HAS_MTIME = 1;
            if (!(flags & HAS_MTIME)) continue;
            var posixTimestamp = data.readInt32LE(1);
            return new Date(posixTimestamp * 1e3);
          } else if (extraField.id === 10) {
            var data = extraField.data;
            if (data.length !== 32) continue;
            if (data.readUInt16LE(4) !== 1) continue;
            if (data.readUInt16LE(6) !== 24) continue;
            var hundredNanoSecondsSince1601 = data.readUInt32LE(8) + 4294967296 * data.readInt32LE(12);
            var millisecondsSince1970 = hundredNanoSecondsSince1601 / 1e4 - 116444736e5;
            return new Date(millisecondsSince1970);
          }
        }
      }
      return dosDateTimeToDate(this.lastModFileDate, this.lastModFileTime, options2.timezone);
    };
    Entry.prototype.canDecodeFileData = function() {
      return !this.isEncrypted() && (this.compressionMethod === 0 || this.compressionMethod === 8);
    };
    Entry.prototype.isEncrypted = function() {
      return (this.generalPurposeBitFlag & 1) !== 0;
    };
    Entry.prototype.isCompressed = function() {
      return this.compressionMethod === 8;
    };
    function LocalFileHeader() {
    }
    function dosDateTimeToDate(date, time, timezone) {
      var day = date & 31;
      var month = (date >> 5 & 15) - 1;
      var year = (date >> 9 & 127) + 1980;
      var millisecond = 0;
      var second = (time & 31) * 2;
      var minute = time >> 5 & 63;
      var hour = time >> 11 & 31;
      if (timezone == null || timezone === "local") {
        return new Date(year, month, day, hour, minute, second, millisecond);
      } else if (timezone === "UTC") {
        return new Date(Date.UTC(year, month, day, hour, minute, second, millisecond));
      } else {
        throw new Error("unrecognized options.timezone: " + options.timezone);
      }
    }
    function getFileNameLowLevel(generalPurposeBitFlag, fileNameBuffer, extraFields, strictFileNames) {
      var fileName = null;
      for (var i = 0; i < extraFields.length; i++) {
        var extraField = extraFields[i];
        if (extraField.id === 28789) {
          if (extraField.data.length < 6) {
            continue;
          }
          if (extraField.data.readUInt8(0) !== 1) {
            continue;
          }
          var oldNameCrc32 = extraField.data.readUInt32LE(1);
          if (crc323(fileNameBuffer) !== oldNameCrc32) {
            continue;
          }
          fileName = decodeBuffer(extraField.data.subarray(5), true);
          break;
        }
      }
      if (fileName == null) {
        var isUtf8 = (generalPurposeBitFlag & 2048) !== 0;
        fileName = decodeBuffer(fileNameBuffer, isUtf8);
      }
      if (!strictFileNames) {
        fileName = fileName.replace(/\\/g, "/");
      }
      return fileName;
    }
    function validateFileName(fileName) {
      if (fileName.indexOf("\\") !== -1) {
        return "invalid characters in fileName: " + fileName;
      }
      if (/^[a-zA-Z]:/.test(fileName) || /^\//.test(fileName)) {
        return "absolute path: " + fileName;
      }
      if (fileName.split("/").indexOf("..") !== -1) {
        return "invalid relative path: " + fileName;
      }
      return null;
    }
    function parseExtraFields(extraFieldBuffer) {
      var extraFields = [];
      var i = 0;
      while (i < extraFieldBuffer.length - 3) {
        var headerId = extraFieldBuffer.readUInt16LE(i + 0);
        var dataSize = extraFieldBuffer.readUInt16LE(i + 2);
        var dataStart = i + 4;
        var dataEnd = dataStart + dataSize;
        if (dataEnd > extraFieldBuffer.length) throw new Error("extra field length exceeds extra field buffer size");
        var dataBuffer = extraFieldBuffer.subarray(dataStart, dataEnd);
        extraFields.push({
          id: headerId,
          data: dataBuffer
        });
        i = dataEnd;
      }
      return extraFields;
    }
    function readAndAssertNoEof(reader, buffer2, offset, length, position, callback) {
      if (length === 0) {
        return setImmediate(function() {
          callback(null, newBuffer(0));
        });
      }
      reader.read(buffer2, offset, length, position, function(err, bytesRead) {
        if (err) return callback(err);
        if (bytesRead < length) {
          return callback(new Error("unexpected EOF"));
        }
        callback();
      });
    }
    util.inherits(AssertByteCountStream, Transform);
    function AssertByteCountStream(byteCount) {
      Transform.call(this);
      this.actualByteCount = 0;
      this.expectedByteCount = byteCount;
    }
    AssertByteCountStream.prototype._transform = function(chunk, encoding, cb) {
      this.actualByteCount += chunk.length;
      if (this.actualByteCount > this.expectedByteCount) {
        var msg = "too many bytes in the stream. expected " + this.expectedByteCount + ". got at least " + this.actualByteCount;
        return cb(new Error(msg));
      }
      cb(null, chunk);
    };
    AssertByteCountStream.prototype._flush = function(cb) {
      if (this.actualByteCount < this.expectedByteCount) {
        var msg = "not enough bytes in the stream. expected " + this.expectedByteCount + ". got only " + this.actualByteCount;
        return cb(new Error(msg));
      }
      cb();
    };
    util.inherits(RandomAccessReader, EventEmitter);
    function RandomAccessReader() {
      EventEmitter.call(this);
      this.refCount = 0;
    }
    RandomAccessReader.prototype.ref = function() {
      this.refCount += 1;
    };
    RandomAccessReader.prototype.unref = function() {
      var self = this;
      self.refCount -= 1;
      if (self.refCount > 0) return;
      if (self.refCount < 0) throw new Error("invalid unref");
      self.close(onCloseDone);
      function onCloseDone(err) {
        if (err) return self.emit("error", err);
        self.emit("close");
      }
    };
    RandomAccessReader.prototype.createReadStream = function(options2) {
      if (options2 == null) options2 = {};
      var start = options2.start;
      var end = options2.end;
      if (start === end) {
        var emptyStream = new PassThrough2();
        setImmediate(function() {
          emptyStream.end();
        });
        return emptyStream;
      }
      var stream = this._readStreamForRange(start, end);
      var destroyed = false;
      var refUnrefFilter = new RefUnrefFilter(this);
      stream.on("error", function(err) {
        setImmediate(function() {
          if (!destroyed) refUnrefFilter.emit("error", err);
        });
      });
      installDestroyFn(refUnrefFilter, function() {
        stream.unpipe(refUnrefFilter);
        refUnrefFilter.unref();
        stream.destroy();
      });
      var byteCounter = new AssertByteCountStream(end - start);
      refUnrefFilter.on("error", function(err) {
        setImmediate(function() {
          if (!destroyed) byteCounter.emit("error", err);
        });
      });
      installDestroyFn(byteCounter, function() {
        destroyed = true;
        refUnrefFilter.unpipe(byteCounter);
        refUnrefFilter.destroy();
      });
      return stream.pipe(refUnrefFilter).pipe(byteCounter);
    };
    RandomAccessReader.prototype._readStreamForRange = function(start, end) {
      throw new Error("not implemented");
    };
    RandomAccessReader.prototype.read = function(buffer2, offset, length, position, callback) {
      var readStream = this.createReadStream({ start: position, end: position + length });
      var writeStream = new Writable();
      var written = 0;
      writeStream._write = function(chunk, encoding, cb) {
        chunk.copy(buffer2, offset + written, 0, chunk.length);
        written += chunk.length;
        cb();
      };
      writeStream.on("finish", callback);
      readStream.on("error", function(error2) {
        callback(error2);
      });
      readStream.pipe(writeStream);
    };
    RandomAccessReader.prototype.close = function(callback) {
      setImmediate(callback);
    };
    util.inherits(RefUnrefFilter, PassThrough2);
    function RefUnrefFilter(context) {
      PassThrough2.call(this);
      this.context = context;
      this.context.ref();
      this.unreffedYet = false;
    }
    RefUnrefFilter.prototype._flush = function(cb) {
      this.unref();
      cb();
    };
    RefUnrefFilter.prototype.unref = function(cb) {
      if (this.unreffedYet) return;
      this.unreffedYet = true;
      this.context.unref();
    };
    var cp437 = "\0\u263A\u263B\u2665\u2666\u2663\u2660\u2022\u25D8\u25CB\u25D9\u2642\u2640\u266A\u266B\u263C\u25BA\u25C4\u2195\u203C\xB6\xA7\u25AC\u21A8\u2191\u2193\u2192\u2190\u221F\u2194\u25B2\u25BC !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\u2302\xC7\xFC\xE9\xE2\xE4\xE0\xE5\xE7\xEA\xEB\xE8\xEF\xEE\xEC\xC4\xC5\xC9\xE6\xC6\xF4\xF6\xF2\xFB\xF9\xFF\xD6\xDC\xA2\xA3\xA5\u20A7\u0192\xE1\xED\xF3\xFA\xF1\xD1\xAA\xBA\xBF\u2310\xAC\xBD\xBC\xA1\xAB\xBB\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255D\u255C\u255B\u2510\u2514\u2534\u252C\u251C\u2500\u253C\u255E\u255F\u255A\u2554\u2569\u2566\u2560\u2550\u256C\u2567\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256B\u256A\u2518\u250C\u2588\u2584\u258C\u2590\u2580\u03B1\xDF\u0393\u03C0\u03A3\u03C3\xB5\u03C4\u03A6\u0398\u03A9\u03B4\u221E\u03C6\u03B5\u2229\u2261\xB1\u2265\u2264\u2320\u2321\xF7\u2248\xB0\u2219\xB7\u221A\u207F\xB2\u25A0\xA0";
    function decodeBuffer(buffer2, isUtf8) {
      if (isUtf8) {
        return buffer2.toString("utf8");
      } else {
        var result = "";
        for (var i = 0; i < buffer2.length; i++) {
          result += cp437[buffer2[i]];
        }
        return result;
      }
    }
    function readUInt64LE(buffer2, offset) {
      var lower32 = buffer2.readUInt32LE(offset);
      var upper32 = buffer2.readUInt32LE(offset + 4);
      return upper32 * 4294967296 + lower32;
    }
    var newBuffer;
    if (typeof Buffer.allocUnsafe === "function") {
      newBuffer = function(len) {
        return Buffer.allocUnsafe(len);
      };
    } else {
      newBuffer = function(len) {
        return new Buffer(len);
      };
    }
    function installDestroyFn(stream, fn) {
      if (typeof stream.destroy === "function") {
        stream._destroy = function(err, cb) {
          fn();
          if (cb != null) cb(err);
        };
      } else {
        stream.destroy = fn;
      }
    }
    function defaultCallback(err) {
      if (err) throw err;
    }
  }
});

// src/index.ts
import { setFlagsFromString as setFlagsFromString2 } from "node:v8";

// src/errors.ts
var InputError = class extends Error {
  constructor(input, message2) {
    super(`input "${input}": ${message2}`);
    this.input = input;
  }
  input;
  name = "InputError";
  exitCode = 2;
};
var SETTING = /\u27ea([a-z-]+)(?:=([^\u27eb]*))?\u27eb/g;
var setting = (input, value) => `\u27EA${input}${value === void 0 ? "" : `=${value}`}\u27EB`;
function spell(text2, as) {
  return text2.replace(SETTING, (_, input, value) => {
    if (as === "cli")
      return value === void 0 || value === "true" ? `--${input}` : `--${input} ${value}`;
    const name = as === "gitlab" ? input.replace(/-/g, "_") : input;
    return value === void 0 ? `\`${name}\`` : `\`${name}: ${value}\``;
  });
}
var RunError = class extends Error {
  constructor(summary3, hint, options2) {
    super(spell(hint ? `${summary3}
  hint: ${hint}` : summary3, "github"), options2);
    this.summary = summary3;
    this.hint = hint;
  }
  summary;
  hint;
  name = "RunError";
  exitCode = 1;
};
var Cancelled = class extends RunError {
  name = "Cancelled";
};

// src/faces/cli.ts
import { resolve as resolve2 } from "node:path";
import { parseArgs } from "node:util";

// src/inputs/parse.ts
import { relative, resolve, sep } from "node:path";

// src/archive/paths.ts
function pathMatcher(patterns) {
  const tests = patterns.map((p) => {
    if (p.endsWith("/")) return (name) => name.startsWith(p);
    if (!/[*?]/.test(p)) return (name) => name === p;
    const source = p.split(/(\*\*|\*|\?)/).map(
      (part) => part === "**" ? ".*" : part === "*" ? "[^/]*" : part === "?" ? "[^/]" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&")
    ).join("");
    const re = new RegExp(`^${source}$`);
    return (name) => re.test(name);
  });
  return (name) => tests.some((t) => t(name));
}
function badPath(path) {
  const bare = path.endsWith("/") ? path.slice(0, -1) : path;
  if (bare === "" || path.startsWith("/") || path.includes("\0") || bare.split("/").some((s) => s === "" || s === "." || s === ".."))
    return `${JSON.stringify(path)} is not a path inside an archive; give it relative, with forward slashes and no "." or ".." parts, e.g. dist/app.js, dist/*.js or dist/`;
  return void 0;
}

// src/gitlab/auth.ts
function tokenOf(value, source, jobToken) {
  const isJob = source === "CI_JOB_TOKEN" || value === jobToken || value.startsWith("glcbt-");
  return { value, header: isJob ? "JOB-TOKEN" : "PRIVATE-TOKEN", source };
}
var isJobToken = (token2) => token2.header === "JOB-TOKEN";

// src/resolve/match.ts
function baseName(name) {
  return name.replace(/ \d+\/\d+$/, "").replace(/: \[.*\]$/, "");
}
function parsePattern(text2) {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(text2);
  if (regex) {
    const [, source = "", flags = ""] = regex;
    if (!/^i?$/.test(flags))
      throw new Error(`${JSON.stringify(text2)}: the only regex flag accepted is i`);
    try {
      return { kind: "regex", text: text2, re: new RegExp(source, flags) };
    } catch (e) {
      throw new Error(
        `${JSON.stringify(text2)} is not a valid regular expression: ${e.message}`,
        { cause: e }
      );
    }
  }
  if (/[*?]/.test(text2)) {
    const source = text2.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return { kind: "glob", text: text2, re: new RegExp(`^${source}$`) };
  }
  return { kind: "exact", text: text2 };
}
function splitPatterns(input) {
  const out = [];
  for (const line of input.split(/\r?\n/)) {
    let depth = 0;
    let current = "";
    const inRegex = line.trim().startsWith("/");
    for (const ch of line) {
      if (ch === "[") depth++;
      if (ch === "]") depth = Math.max(0, depth - 1);
      if (ch === "," && depth === 0 && !inRegex) {
        out.push(current);
        current = "";
      } else current += ch;
    }
    out.push(current);
  }
  return out.map((p) => p.trim()).filter((p) => p !== "");
}
function matches(pattern, name) {
  switch (pattern.kind) {
    case "exact":
      return name === pattern.text || baseName(name) === pattern.text;
    case "glob":
    case "regex":
      return pattern.re.test(name) || pattern.re.test(baseName(name));
  }
}
function select(pattern, names) {
  const all = [...new Set(names)];
  if (pattern.kind === "exact" && all.includes(pattern.text)) return [pattern.text];
  return all.filter((name) => matches(pattern, name));
}

// src/util/concurrency.ts
async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, worker)
  );
  const failure2 = settled.find((s) => s.status === "rejected");
  if (failure2) throw failure2.reason;
  return results;
}
var Limiter = class {
  constructor(limit) {
    this.limit = limit;
  }
  limit;
  #active = 0;
  #waiting = [];
  async run(fn) {
    if (this.#active >= this.limit)
      await new Promise((resolve3) => this.#waiting.push(resolve3));
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
};

// src/gitlab/client.ts
import { readFileSync } from "node:fs";
import { text } from "node:stream/consumers";
import { rootCertificates } from "node:tls";

// node_modules/@actions/http-client/lib/index.js
var http = __toESM(require_http(), 1);
var https = __toESM(require_https(), 1);

// node_modules/@actions/http-client/lib/proxy.js
function getProxyUrl(reqUrl) {
  const usingSsl = reqUrl.protocol === "https:";
  if (checkBypass(reqUrl)) {
    return void 0;
  }
  const proxyVar = (() => {
    if (usingSsl) {
      return process.env["https_proxy"] || process.env["HTTPS_PROXY"];
    } else {
      return process.env["http_proxy"] || process.env["HTTP_PROXY"];
    }
  })();
  if (proxyVar) {
    try {
      return new DecodedURL(proxyVar);
    } catch (_a) {
      if (!proxyVar.startsWith("http://") && !proxyVar.startsWith("https://"))
        return new DecodedURL(`http://${proxyVar}`);
    }
  } else {
    return void 0;
  }
}
function checkBypass(reqUrl) {
  if (!reqUrl.hostname) {
    return false;
  }
  const reqHost = reqUrl.hostname;
  if (isLoopbackAddress(reqHost)) {
    return true;
  }
  const noProxy = process.env["no_proxy"] || process.env["NO_PROXY"] || "";
  if (!noProxy) {
    return false;
  }
  let reqPort;
  if (reqUrl.port) {
    reqPort = Number(reqUrl.port);
  } else if (reqUrl.protocol === "http:") {
    reqPort = 80;
  } else if (reqUrl.protocol === "https:") {
    reqPort = 443;
  }
  const upperReqHosts = [reqUrl.hostname.toUpperCase()];
  if (typeof reqPort === "number") {
    upperReqHosts.push(`${upperReqHosts[0]}:${reqPort}`);
  }
  for (const upperNoProxyItem of noProxy.split(",").map((x) => x.trim().toUpperCase()).filter((x) => x)) {
    if (upperNoProxyItem === "*" || upperReqHosts.some((x) => x === upperNoProxyItem || x.endsWith(`.${upperNoProxyItem}`) || upperNoProxyItem.startsWith(".") && x.endsWith(`${upperNoProxyItem}`))) {
      return true;
    }
  }
  return false;
}
function isLoopbackAddress(host) {
  const hostLower = host.toLowerCase();
  return hostLower === "localhost" || hostLower.startsWith("127.") || hostLower.startsWith("[::1]") || hostLower.startsWith("[0:0:0:0:0:0:0:1]");
}
var DecodedURL = class extends URL {
  constructor(url2, base) {
    super(url2, base);
    this._decodedUsername = decodeURIComponent(super.username);
    this._decodedPassword = decodeURIComponent(super.password);
  }
  get username() {
    return this._decodedUsername;
  }
  get password() {
    return this._decodedPassword;
  }
};

// node_modules/@actions/http-client/lib/index.js
var tunnel = __toESM(require_tunnel2(), 1);

// scripts/undici-stub.ts
var ProxyAgent = class {
  constructor() {
    throw new Error(
      "pipeline-artifacts: undici is not bundled (HttpClient.getAgentDispatcher is not supported)"
    );
  }
};

// node_modules/@actions/http-client/lib/index.js
var __awaiter = function(thisArg, _arguments, P, generator) {
  function adopt(value) {
    return value instanceof P ? value : new P(function(resolve3) {
      resolve3(value);
    });
  }
  return new (P || (P = Promise))(function(resolve3, reject) {
    function fulfilled(value) {
      try {
        step(generator.next(value));
      } catch (e) {
        reject(e);
      }
    }
    function rejected(value) {
      try {
        step(generator["throw"](value));
      } catch (e) {
        reject(e);
      }
    }
    function step(result) {
      result.done ? resolve3(result.value) : adopt(result.value).then(fulfilled, rejected);
    }
    step((generator = generator.apply(thisArg, _arguments || [])).next());
  });
};
var HttpCodes;
(function(HttpCodes2) {
  HttpCodes2[HttpCodes2["OK"] = 200] = "OK";
  HttpCodes2[HttpCodes2["MultipleChoices"] = 300] = "MultipleChoices";
  HttpCodes2[HttpCodes2["MovedPermanently"] = 301] = "MovedPermanently";
  HttpCodes2[HttpCodes2["ResourceMoved"] = 302] = "ResourceMoved";
  HttpCodes2[HttpCodes2["SeeOther"] = 303] = "SeeOther";
  HttpCodes2[HttpCodes2["NotModified"] = 304] = "NotModified";
  HttpCodes2[HttpCodes2["UseProxy"] = 305] = "UseProxy";
  HttpCodes2[HttpCodes2["SwitchProxy"] = 306] = "SwitchProxy";
  HttpCodes2[HttpCodes2["TemporaryRedirect"] = 307] = "TemporaryRedirect";
  HttpCodes2[HttpCodes2["PermanentRedirect"] = 308] = "PermanentRedirect";
  HttpCodes2[HttpCodes2["BadRequest"] = 400] = "BadRequest";
  HttpCodes2[HttpCodes2["Unauthorized"] = 401] = "Unauthorized";
  HttpCodes2[HttpCodes2["PaymentRequired"] = 402] = "PaymentRequired";
  HttpCodes2[HttpCodes2["Forbidden"] = 403] = "Forbidden";
  HttpCodes2[HttpCodes2["NotFound"] = 404] = "NotFound";
  HttpCodes2[HttpCodes2["MethodNotAllowed"] = 405] = "MethodNotAllowed";
  HttpCodes2[HttpCodes2["NotAcceptable"] = 406] = "NotAcceptable";
  HttpCodes2[HttpCodes2["ProxyAuthenticationRequired"] = 407] = "ProxyAuthenticationRequired";
  HttpCodes2[HttpCodes2["RequestTimeout"] = 408] = "RequestTimeout";
  HttpCodes2[HttpCodes2["Conflict"] = 409] = "Conflict";
  HttpCodes2[HttpCodes2["Gone"] = 410] = "Gone";
  HttpCodes2[HttpCodes2["TooManyRequests"] = 429] = "TooManyRequests";
  HttpCodes2[HttpCodes2["InternalServerError"] = 500] = "InternalServerError";
  HttpCodes2[HttpCodes2["NotImplemented"] = 501] = "NotImplemented";
  HttpCodes2[HttpCodes2["BadGateway"] = 502] = "BadGateway";
  HttpCodes2[HttpCodes2["ServiceUnavailable"] = 503] = "ServiceUnavailable";
  HttpCodes2[HttpCodes2["GatewayTimeout"] = 504] = "GatewayTimeout";
})(HttpCodes || (HttpCodes = {}));
var Headers;
(function(Headers2) {
  Headers2["Accept"] = "accept";
  Headers2["ContentType"] = "content-type";
})(Headers || (Headers = {}));
var MediaTypes;
(function(MediaTypes2) {
  MediaTypes2["ApplicationJson"] = "application/json";
})(MediaTypes || (MediaTypes = {}));
var HttpRedirectCodes = [
  HttpCodes.MovedPermanently,
  HttpCodes.ResourceMoved,
  HttpCodes.SeeOther,
  HttpCodes.TemporaryRedirect,
  HttpCodes.PermanentRedirect
];
var HttpResponseRetryCodes = [
  HttpCodes.BadGateway,
  HttpCodes.ServiceUnavailable,
  HttpCodes.GatewayTimeout
];
var RetryableHttpVerbs = ["OPTIONS", "GET", "DELETE", "HEAD"];
var ExponentialBackoffCeiling = 10;
var ExponentialBackoffTimeSlice = 5;
var HttpClientError = class _HttpClientError extends Error {
  constructor(message2, statusCode) {
    super(message2);
    this.name = "HttpClientError";
    this.statusCode = statusCode;
    Object.setPrototypeOf(this, _HttpClientError.prototype);
  }
};
var HttpClientResponse = class {
  constructor(message2) {
    this.message = message2;
  }
  readBody() {
    return __awaiter(this, void 0, void 0, function* () {
      return new Promise((resolve3) => __awaiter(this, void 0, void 0, function* () {
        let output = Buffer.alloc(0);
        this.message.on("data", (chunk) => {
          output = Buffer.concat([output, chunk]);
        });
        this.message.on("end", () => {
          resolve3(output.toString());
        });
      }));
    });
  }
  readBodyBuffer() {
    return __awaiter(this, void 0, void 0, function* () {
      return new Promise((resolve3) => __awaiter(this, void 0, void 0, function* () {
        const chunks = [];
        this.message.on("data", (chunk) => {
          chunks.push(chunk);
        });
        this.message.on("end", () => {
          resolve3(Buffer.concat(chunks));
        });
      }));
    });
  }
};
var HttpClient = class {
  constructor(userAgent, handlers, requestOptions) {
    this._ignoreSslError = false;
    this._allowRedirects = true;
    this._allowRedirectDowngrade = false;
    this._maxRedirects = 50;
    this._allowRetries = false;
    this._maxRetries = 1;
    this._keepAlive = false;
    this._disposed = false;
    this.userAgent = this._getUserAgentWithOrchestrationId(userAgent);
    this.handlers = handlers || [];
    this.requestOptions = requestOptions;
    if (requestOptions) {
      if (requestOptions.ignoreSslError != null) {
        this._ignoreSslError = requestOptions.ignoreSslError;
      }
      this._socketTimeout = requestOptions.socketTimeout;
      if (requestOptions.allowRedirects != null) {
        this._allowRedirects = requestOptions.allowRedirects;
      }
      if (requestOptions.allowRedirectDowngrade != null) {
        this._allowRedirectDowngrade = requestOptions.allowRedirectDowngrade;
      }
      if (requestOptions.maxRedirects != null) {
        this._maxRedirects = Math.max(requestOptions.maxRedirects, 0);
      }
      if (requestOptions.keepAlive != null) {
        this._keepAlive = requestOptions.keepAlive;
      }
      if (requestOptions.allowRetries != null) {
        this._allowRetries = requestOptions.allowRetries;
      }
      if (requestOptions.maxRetries != null) {
        this._maxRetries = requestOptions.maxRetries;
      }
    }
  }
  options(requestUrl, additionalHeaders) {
    return __awaiter(this, void 0, void 0, function* () {
      return this.request("OPTIONS", requestUrl, null, additionalHeaders || {});
    });
  }
  get(requestUrl, additionalHeaders) {
    return __awaiter(this, void 0, void 0, function* () {
      return this.request("GET", requestUrl, null, additionalHeaders || {});
    });
  }
  del(requestUrl, additionalHeaders) {
    return __awaiter(this, void 0, void 0, function* () {
      return this.request("DELETE", requestUrl, null, additionalHeaders || {});
    });
  }
  post(requestUrl, data, additionalHeaders) {
    return __awaiter(this, void 0, void 0, function* () {
      return this.request("POST", requestUrl, data, additionalHeaders || {});
    });
  }
  patch(requestUrl, data, additionalHeaders) {
    return __awaiter(this, void 0, void 0, function* () {
      return this.request("PATCH", requestUrl, data, additionalHeaders || {});
    });
  }
  put(requestUrl, data, additionalHeaders) {
    return __awaiter(this, void 0, void 0, function* () {
      return this.request("PUT", requestUrl, data, additionalHeaders || {});
    });
  }
  head(requestUrl, additionalHeaders) {
    return __awaiter(this, void 0, void 0, function* () {
      return this.request("HEAD", requestUrl, null, additionalHeaders || {});
    });
  }
  sendStream(verb, requestUrl, stream, additionalHeaders) {
    return __awaiter(this, void 0, void 0, function* () {
      return this.request(verb, requestUrl, stream, additionalHeaders);
    });
  }
  /**
   * Gets a typed object from an endpoint
   * Be aware that not found returns a null.  Other errors (4xx, 5xx) reject the promise
   */
  getJson(requestUrl_1) {
    return __awaiter(this, arguments, void 0, function* (requestUrl, additionalHeaders = {}) {
      additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
      const res = yield this.get(requestUrl, additionalHeaders);
      return this._processResponse(res, this.requestOptions);
    });
  }
  postJson(requestUrl_1, obj_1) {
    return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
      const data = JSON.stringify(obj, null, 2);
      additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
      additionalHeaders[Headers.ContentType] = this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
      const res = yield this.post(requestUrl, data, additionalHeaders);
      return this._processResponse(res, this.requestOptions);
    });
  }
  putJson(requestUrl_1, obj_1) {
    return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
      const data = JSON.stringify(obj, null, 2);
      additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
      additionalHeaders[Headers.ContentType] = this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
      const res = yield this.put(requestUrl, data, additionalHeaders);
      return this._processResponse(res, this.requestOptions);
    });
  }
  patchJson(requestUrl_1, obj_1) {
    return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
      const data = JSON.stringify(obj, null, 2);
      additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
      additionalHeaders[Headers.ContentType] = this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
      const res = yield this.patch(requestUrl, data, additionalHeaders);
      return this._processResponse(res, this.requestOptions);
    });
  }
  /**
   * Makes a raw http request.
   * All other methods such as get, post, patch, and request ultimately call this.
   * Prefer get, del, post and patch
   */
  request(verb, requestUrl, data, headers) {
    return __awaiter(this, void 0, void 0, function* () {
      if (this._disposed) {
        throw new Error("Client has already been disposed.");
      }
      const parsedUrl = new URL(requestUrl);
      let info3 = this._prepareRequest(verb, parsedUrl, headers);
      const maxTries = this._allowRetries && RetryableHttpVerbs.includes(verb) ? this._maxRetries + 1 : 1;
      let numTries = 0;
      let response;
      do {
        response = yield this.requestRaw(info3, data);
        if (response && response.message && response.message.statusCode === HttpCodes.Unauthorized) {
          let authenticationHandler;
          for (const handler of this.handlers) {
            if (handler.canHandleAuthentication(response)) {
              authenticationHandler = handler;
              break;
            }
          }
          if (authenticationHandler) {
            return authenticationHandler.handleAuthentication(this, info3, data);
          } else {
            return response;
          }
        }
        let redirectsRemaining = this._maxRedirects;
        while (response.message.statusCode && HttpRedirectCodes.includes(response.message.statusCode) && this._allowRedirects && redirectsRemaining > 0) {
          const redirectUrl = response.message.headers["location"];
          if (!redirectUrl) {
            break;
          }
          const parsedRedirectUrl = new URL(redirectUrl);
          if (parsedUrl.protocol === "https:" && parsedUrl.protocol !== parsedRedirectUrl.protocol && !this._allowRedirectDowngrade) {
            throw new Error("Redirect from HTTPS to HTTP protocol. This downgrade is not allowed for security reasons. If you want to allow this behavior, set the allowRedirectDowngrade option to true.");
          }
          yield response.readBody();
          if (parsedRedirectUrl.hostname !== parsedUrl.hostname) {
            for (const header2 in headers) {
              if (header2.toLowerCase() === "authorization") {
                delete headers[header2];
              }
            }
          }
          info3 = this._prepareRequest(verb, parsedRedirectUrl, headers);
          response = yield this.requestRaw(info3, data);
          redirectsRemaining--;
        }
        if (!response.message.statusCode || !HttpResponseRetryCodes.includes(response.message.statusCode)) {
          return response;
        }
        numTries += 1;
        if (numTries < maxTries) {
          yield response.readBody();
          yield this._performExponentialBackoff(numTries);
        }
      } while (numTries < maxTries);
      return response;
    });
  }
  /**
   * Needs to be called if keepAlive is set to true in request options.
   */
  dispose() {
    if (this._agent) {
      this._agent.destroy();
    }
    this._disposed = true;
  }
  /**
   * Raw request.
   * @param info
   * @param data
   */
  requestRaw(info3, data) {
    return __awaiter(this, void 0, void 0, function* () {
      return new Promise((resolve3, reject) => {
        function callbackForResult(err, res) {
          if (err) {
            reject(err);
          } else if (!res) {
            reject(new Error("Unknown error"));
          } else {
            resolve3(res);
          }
        }
        this.requestRawWithCallback(info3, data, callbackForResult);
      });
    });
  }
  /**
   * Raw request with callback.
   * @param info
   * @param data
   * @param onResult
   */
  requestRawWithCallback(info3, data, onResult) {
    if (typeof data === "string") {
      if (!info3.options.headers) {
        info3.options.headers = {};
      }
      info3.options.headers["Content-Length"] = Buffer.byteLength(data, "utf8");
    }
    let callbackCalled = false;
    function handleResult(err, res) {
      if (!callbackCalled) {
        callbackCalled = true;
        onResult(err, res);
      }
    }
    const req = info3.httpModule.request(info3.options, (msg) => {
      const res = new HttpClientResponse(msg);
      handleResult(void 0, res);
    });
    let socket;
    req.on("socket", (sock) => {
      socket = sock;
    });
    req.setTimeout(this._socketTimeout || 3 * 6e4, () => {
      if (socket) {
        socket.end();
      }
      handleResult(new Error(`Request timeout: ${info3.options.path}`));
    });
    req.on("error", function(err) {
      handleResult(err);
    });
    if (data && typeof data === "string") {
      req.write(data, "utf8");
    }
    if (data && typeof data !== "string") {
      data.on("close", function() {
        req.end();
      });
      data.pipe(req);
    } else {
      req.end();
    }
  }
  /**
   * Gets an http agent. This function is useful when you need an http agent that handles
   * routing through a proxy server - depending upon the url and proxy environment variables.
   * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
   */
  getAgent(serverUrl) {
    const parsedUrl = new URL(serverUrl);
    return this._getAgent(parsedUrl);
  }
  getAgentDispatcher(serverUrl) {
    const parsedUrl = new URL(serverUrl);
    const proxyUrl = getProxyUrl(parsedUrl);
    const useProxy = proxyUrl && proxyUrl.hostname;
    if (!useProxy) {
      return;
    }
    return this._getProxyAgentDispatcher(parsedUrl, proxyUrl);
  }
  _prepareRequest(method, requestUrl, headers) {
    const info3 = {};
    info3.parsedUrl = requestUrl;
    const usingSsl = info3.parsedUrl.protocol === "https:";
    info3.httpModule = usingSsl ? https : http;
    const defaultPort = usingSsl ? 443 : 80;
    info3.options = {};
    info3.options.host = info3.parsedUrl.hostname;
    info3.options.port = info3.parsedUrl.port ? parseInt(info3.parsedUrl.port) : defaultPort;
    info3.options.path = (info3.parsedUrl.pathname || "") + (info3.parsedUrl.search || "");
    info3.options.method = method;
    info3.options.headers = this._mergeHeaders(headers);
    if (this.userAgent != null) {
      info3.options.headers["user-agent"] = this.userAgent;
    }
    info3.options.agent = this._getAgent(info3.parsedUrl);
    if (this.handlers) {
      for (const handler of this.handlers) {
        handler.prepareRequest(info3.options);
      }
    }
    return info3;
  }
  _mergeHeaders(headers) {
    if (this.requestOptions && this.requestOptions.headers) {
      return Object.assign({}, lowercaseKeys(this.requestOptions.headers), lowercaseKeys(headers || {}));
    }
    return lowercaseKeys(headers || {});
  }
  /**
   * Gets an existing header value or returns a default.
   * Handles converting number header values to strings since HTTP headers must be strings.
   * Note: This returns string | string[] since some headers can have multiple values.
   * For headers that must always be a single string (like Content-Type), use the
   * specialized _getExistingOrDefaultContentTypeHeader method instead.
   */
  _getExistingOrDefaultHeader(additionalHeaders, header2, _default) {
    let clientHeader;
    if (this.requestOptions && this.requestOptions.headers) {
      const headerValue = lowercaseKeys(this.requestOptions.headers)[header2];
      if (headerValue) {
        clientHeader = typeof headerValue === "number" ? headerValue.toString() : headerValue;
      }
    }
    const additionalValue = additionalHeaders[header2];
    if (additionalValue !== void 0) {
      return typeof additionalValue === "number" ? additionalValue.toString() : additionalValue;
    }
    if (clientHeader !== void 0) {
      return clientHeader;
    }
    return _default;
  }
  /**
   * Specialized version of _getExistingOrDefaultHeader for Content-Type header.
   * Always returns a single string (not an array) since Content-Type should be a single value.
   * Converts arrays to comma-separated strings and numbers to strings to ensure type safety.
   * This was split from _getExistingOrDefaultHeader to provide stricter typing for callers
   * that assign the result to places expecting a string (e.g., additionalHeaders[Headers.ContentType]).
   */
  _getExistingOrDefaultContentTypeHeader(additionalHeaders, _default) {
    let clientHeader;
    if (this.requestOptions && this.requestOptions.headers) {
      const headerValue = lowercaseKeys(this.requestOptions.headers)[Headers.ContentType];
      if (headerValue) {
        if (typeof headerValue === "number") {
          clientHeader = String(headerValue);
        } else if (Array.isArray(headerValue)) {
          clientHeader = headerValue.join(", ");
        } else {
          clientHeader = headerValue;
        }
      }
    }
    const additionalValue = additionalHeaders[Headers.ContentType];
    if (additionalValue !== void 0) {
      if (typeof additionalValue === "number") {
        return String(additionalValue);
      } else if (Array.isArray(additionalValue)) {
        return additionalValue.join(", ");
      } else {
        return additionalValue;
      }
    }
    if (clientHeader !== void 0) {
      return clientHeader;
    }
    return _default;
  }
  _getAgent(parsedUrl) {
    let agent;
    const proxyUrl = getProxyUrl(parsedUrl);
    const useProxy = proxyUrl && proxyUrl.hostname;
    if (this._keepAlive && useProxy) {
      agent = this._proxyAgent;
    }
    if (!useProxy) {
      agent = this._agent;
    }
    if (agent) {
      return agent;
    }
    const usingSsl = parsedUrl.protocol === "https:";
    let maxSockets = 100;
    if (this.requestOptions) {
      maxSockets = this.requestOptions.maxSockets || http.globalAgent.maxSockets;
    }
    if (proxyUrl && proxyUrl.hostname) {
      const agentOptions = {
        maxSockets,
        keepAlive: this._keepAlive,
        proxy: Object.assign(Object.assign({}, (proxyUrl.username || proxyUrl.password) && {
          proxyAuth: `${proxyUrl.username}:${proxyUrl.password}`
        }), { host: proxyUrl.hostname, port: proxyUrl.port })
      };
      let tunnelAgent;
      const overHttps = proxyUrl.protocol === "https:";
      if (usingSsl) {
        tunnelAgent = overHttps ? tunnel.httpsOverHttps : tunnel.httpsOverHttp;
      } else {
        tunnelAgent = overHttps ? tunnel.httpOverHttps : tunnel.httpOverHttp;
      }
      agent = tunnelAgent(agentOptions);
      this._proxyAgent = agent;
    }
    if (!agent) {
      const options2 = { keepAlive: this._keepAlive, maxSockets };
      agent = usingSsl ? new https.Agent(options2) : new http.Agent(options2);
      this._agent = agent;
    }
    if (usingSsl && this._ignoreSslError) {
      agent.options = Object.assign(agent.options || {}, {
        rejectUnauthorized: false
      });
    }
    return agent;
  }
  _getProxyAgentDispatcher(parsedUrl, proxyUrl) {
    let proxyAgent;
    if (this._keepAlive) {
      proxyAgent = this._proxyAgentDispatcher;
    }
    if (proxyAgent) {
      return proxyAgent;
    }
    const usingSsl = parsedUrl.protocol === "https:";
    proxyAgent = new ProxyAgent(Object.assign({ uri: proxyUrl.href, pipelining: !this._keepAlive ? 0 : 1 }, (proxyUrl.username || proxyUrl.password) && {
      token: `Basic ${Buffer.from(`${proxyUrl.username}:${proxyUrl.password}`).toString("base64")}`
    }));
    this._proxyAgentDispatcher = proxyAgent;
    if (usingSsl && this._ignoreSslError) {
      proxyAgent.options = Object.assign(proxyAgent.options.requestTls || {}, {
        rejectUnauthorized: false
      });
    }
    return proxyAgent;
  }
  _getUserAgentWithOrchestrationId(userAgent) {
    const baseUserAgent = userAgent || "actions/http-client";
    const orchId = process.env["ACTIONS_ORCHESTRATION_ID"];
    if (orchId) {
      const sanitizedId = orchId.replace(/[^a-z0-9_.-]/gi, "_");
      return `${baseUserAgent} actions_orchestration_id/${sanitizedId}`;
    }
    return baseUserAgent;
  }
  _performExponentialBackoff(retryNumber) {
    return __awaiter(this, void 0, void 0, function* () {
      retryNumber = Math.min(ExponentialBackoffCeiling, retryNumber);
      const ms = ExponentialBackoffTimeSlice * Math.pow(2, retryNumber);
      return new Promise((resolve3) => setTimeout(() => resolve3(), ms));
    });
  }
  _processResponse(res, options2) {
    return __awaiter(this, void 0, void 0, function* () {
      return new Promise((resolve3, reject) => __awaiter(this, void 0, void 0, function* () {
        const statusCode = res.message.statusCode || 0;
        const response = {
          statusCode,
          result: null,
          headers: {}
        };
        if (statusCode === HttpCodes.NotFound) {
          resolve3(response);
        }
        function dateTimeDeserializer(key, value) {
          if (typeof value === "string") {
            const a = new Date(value);
            if (!isNaN(a.valueOf())) {
              return a;
            }
          }
          return value;
        }
        let obj;
        let contents;
        try {
          contents = yield res.readBody();
          if (contents && contents.length > 0) {
            if (options2 && options2.deserializeDates) {
              obj = JSON.parse(contents, dateTimeDeserializer);
            } else {
              obj = JSON.parse(contents);
            }
            response.result = obj;
          }
          response.headers = res.message.headers;
        } catch (err) {
        }
        if (statusCode > 299) {
          let msg;
          if (obj && obj.message) {
            msg = obj.message;
          } else if (contents && contents.length > 0) {
            msg = contents;
          } else {
            msg = `Failed request: (${statusCode})`;
          }
          const err = new HttpClientError(msg, statusCode);
          err.result = response.result;
          reject(err);
        } else {
          resolve3(response);
        }
      }));
    });
  }
};
var lowercaseKeys = (obj) => Object.keys(obj).reduce((c, k) => (c[k.toLowerCase()] = obj[k], c), {});

// src/gitlab/errors.ts
function gitlabMessage(body) {
  try {
    const parsed = JSON.parse(body);
    const text2 = (v) => typeof v === "string" ? v : v === void 0 ? "" : JSON.stringify(v);
    const parts = [text2(parsed.message), text2(parsed.error), text2(parsed.error_description)].filter(
      Boolean
    );
    if (parts.length > 0) return parts.join(": ");
  } catch {
  }
  return body.trim().slice(0, 200) || "(empty body)";
}
var GitLabError = class extends RunError {
  constructor(status, gitlab, attempt, token2) {
    super(
      `GitLab answered ${status} (${gitlab}) while ${attempt.what}`,
      adviceFor(status, gitlab, attempt, token2)
    );
    this.status = status;
    this.gitlab = gitlab;
  }
  status;
  gitlab;
  name = "GitLabError";
};
function adviceFor(status, gitlab, attempt, token2) {
  const job = isJobToken(token2);
  if (status === 401) {
    if (/expired/i.test(gitlab)) return `the token (${token2.source}) has expired; create a new one`;
    if (/revoked/i.test(gitlab)) return `the token (${token2.source}) was revoked; create a new one`;
    return job ? `the CI job token (${token2.source}) is refused: it is only valid while its job runs, and only for the routes that accept job tokens` : `the token (${token2.source}) is wrong, expired or revoked`;
  }
  if (status === 403 && /insufficient_scope/.test(gitlab))
    return `the token (${token2.source}) lacks a scope this needs: use a token with ${/\bapi read_api\b/.test(gitlab) ? "read_api" : "api"} scope`;
  if (status === 403 && /token permission is required: ([\w:]+)/.test(gitlab))
    return `the CI/CD job token lacks the permission ${/required: ([\w:]+)/.exec(gitlab)?.[1]} in that project: add it to the project's fine-grained job token permissions (Settings > CI/CD > Job token permissions), or use an access token`;
  if (status === 403 && /job token not allowed/i.test(gitlab))
    return "add this project to the target project's CI/CD job token allowlist (Settings > CI/CD > Job token permissions), or use an access token";
  if (job && (attempt.route === "list-pipelines" || attempt.route === "list-jobs" || attempt.route === "list-bridges") && (status === 404 || status === 401 || status === 403))
    return `this GitLab does not let a CI job token ${attempt.route === "list-pipelines" ? "list pipelines (the newest GitLab versions do)" : "list a pipeline's jobs (recent GitLab versions do)"}; set ${setting("token")} to a personal, project or group access token with read_api scope`;
  if (status === 403 && attempt.route === "keep")
    return `keeping artifacts needs a token with api scope whose user has at least the Developer role and, when the job's branch or tag is protected (main and release tags usually are), may push or merge to it (${token2.source} may not)`;
  if (status === 403 && (attempt.route === "delete" || attempt.route === "delete-project"))
    return `deleting artifacts needs a token with api scope whose user has at least the Maintainer role (${token2.source} has not)`;
  if (status === 404 && attempt.route === "keep")
    return "only unexpired artifacts can be kept: this job's have expired, or it has none";
  if (status === 409)
    return "GitLab is refreshing the project's statistics; try again in a few minutes";
  if (status === 404 && /Project Not Found/.test(gitlab))
    return `check ${setting("project")}, and that the token may see the project (Reporter or above on a private project)`;
  if ((status === 403 || status === 404) && attempt.route === "download")
    return "the token's user needs at least the Reporter role on the project, or the artifacts are restricted (artifacts:access); when GitLab proxies object storage, an expired signature or a missing object in the store answers so too";
  if (status === 403)
    return "the token's user needs at least the Reporter role on the project, or the artifacts are restricted (artifacts:access)";
  return void 0;
}
var RetriesExhausted = class extends RunError {
  name = "RetriesExhausted";
  constructor(what, attempts, last) {
    super(
      `gave up ${what} after ${attempts} attempts: ${last}`,
      "GitLab or the network is failing; try again later"
    );
  }
};

// src/gitlab/stall.ts
var Stalled = class extends Error {
  name = "Stalled";
  code = "ETIMEDOUT";
};
function watchStall(body, ms, where) {
  const { socket } = body;
  let seen = socket.bytesRead;
  let quietSince = Date.now();
  const timer = setInterval(
    () => {
      const read = socket.bytesRead;
      if (read !== seen || body.readableLength > 0) {
        seen = read;
        quietSince = Date.now();
        return;
      }
      const quiet = Date.now() - quietSince;
      if (quiet < ms) return;
      clearInterval(timer);
      body.destroy(
        new Stalled(
          `no data for ${(quiet / 1e3).toFixed(0)} s from ${where} (stall-timeout ${(ms / 1e3).toFixed(0)} s); the server or the network stalled`
        )
      );
    },
    Math.max(10, Math.min(1e3, ms / 4))
  );
  timer.unref();
  const stop2 = () => clearInterval(timer);
  body.once("end", stop2);
  body.once("close", stop2);
  body.once("error", stop2);
}

// src/gitlab/client.ts
var DEFAULT_RETRY = {
  attempts: 8,
  baseMs: 500,
  maxDelayMs: 3e4,
  budgetMs: 3e5
};
var DEFAULT_STALL_MS = 3e4;
var CONNECT_BUDGET_MS = 15e3;
var REDIRECTS = /* @__PURE__ */ new Set([301, 302, 303, 307, 308]);
var RETRY_STATUS = /* @__PURE__ */ new Set([429, 500, 502, 503, 504]);
var MAX_REDIRECTS = 5;
var Retryable = class extends Error {
  constructor(message2, afterMs) {
    super(message2);
    this.afterMs = afterMs;
  }
  afterMs;
};
var GitLabClient = class {
  origin;
  /** GitLab's web root: the API root without `/api/v4` (it may hold a relative URL root). */
  webRoot;
  /** Whether the token is a CI job token, which GitLab accepts on fewer routes. */
  jobToken;
  #options;
  #http;
  #retry;
  #stallMs;
  /** Bodies being received, to end them when the run is cancelled. */
  #live = /* @__PURE__ */ new Set();
  /** Whether GitLab's origin has answered at all (a refused connection before that is a wrong URL). */
  #reached = false;
  #activity = "starting";
  #sleep;
  constructor(options2) {
    this.#options = options2;
    this.origin = new URL(options2.baseUrl).origin;
    this.webRoot = options2.baseUrl.replace(/\/api\/v4$/, "");
    this.jobToken = isJobToken(options2.token);
    this.#retry = options2.retry ?? DEFAULT_RETRY;
    this.#stallMs = options2.stallMs ?? DEFAULT_STALL_MS;
    this.#sleep = options2.sleep ?? ((ms) => sleep(ms, options2.signal));
    this.#http = new HttpClient(options2.userAgent ?? "pipeline-artifacts", [], {
      keepAlive: true,
      allowRedirects: false,
      allowRetries: false,
      // Waiting for an answer's headers: the same idle limit as for its body.
      socketTimeout: this.#stallMs
    });
    if (options2.caFile) this.#trust(options2.caFile);
    options2.signal?.addEventListener(
      "abort",
      () => {
        for (const body of this.#live) body.destroy(options2.signal?.reason);
      },
      { once: true }
    );
  }
  /** What the client was last asked to do, for messages: "downloading the artifacts of ...". */
  get activity() {
    return this.#activity;
  }
  /** Adds a CA bundle (a self-managed GitLab's private CA) to the agent's trusted roots. */
  #trust(caFile) {
    let ca;
    try {
      ca = readFileSync(caFile);
    } catch (e) {
      throw new RunError(
        `cannot read the CA file ${caFile} (CI_SERVER_TLS_CA_FILE): ${e.message}`
      );
    }
    const agent = this.#http.getAgent(this.#options.baseUrl);
    agent.options = { ...agent.options, ca: [...rootCertificates, ca.toString("utf8")] };
  }
  url(path, query) {
    const url2 = new URL(`${this.#options.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) url2.searchParams.set(k, String(v));
    return url2.href;
  }
  /**
   * One request, retried on network errors, 429 and 5xx. Resolves with an accepted response
   * (2xx by default) whose body the caller must consume; other answers reject with a
   * GitLabError that says what to do.
   */
  request(method, url2, attempt, headers = {}, accept = (s) => s >= 200 && s < 300) {
    return this.#retrying(attempt, () => this.#checked(method, url2, attempt, headers, accept));
  }
  /**
   * GitLab's own first answer, redirects not followed: where a redirect leads is read from its
   * Location, and nothing is sent to that host (a store may refuse what GitLab did not sign).
   */
  peek(method, url2, attempt) {
    return this.#retrying(
      attempt,
      () => this.#checked(
        method,
        url2,
        attempt,
        {},
        (s) => s >= 200 && s < 300 || REDIRECTS.has(s),
        false
      )
    );
  }
  /** A GET of JSON; reading the body is retried with the request. */
  json(url2, attempt) {
    return this.#retrying(attempt, async () => {
      const res = await this.#checked(
        "GET",
        url2,
        attempt,
        { Accept: "application/json" },
        (s) => s === 200
      );
      return { data: await readJson(res), headers: res.headers };
    });
  }
  async #checked(method, url2, attempt, headers, accept, follow = true) {
    const res = await this.#follow(method, url2, headers, follow);
    if (accept(res.status)) return res;
    const text2 = await readText(res.body);
    if (RETRY_STATUS.has(res.status))
      throw new Retryable(`${res.status} ${gitlabMessage(text2)}`, retryAfter(res.headers));
    throw new GitLabError(res.status, gitlabMessage(text2), attempt, this.#options.token);
  }
  async #retrying(attempt, once2) {
    const started = Date.now();
    const { signal } = this.#options;
    this.#activity = attempt.what;
    for (let n = 1; ; n++) {
      try {
        signal?.throwIfAborted();
        return await once2();
      } catch (e) {
        signal?.throwIfAborted();
        const code3 = e.code;
        if (!this.#reached && code3 === "ENOTFOUND") throw this.#unreachable(e, n);
        const retryable = e instanceof Retryable ? e : networkError(e);
        if (!retryable) throw e;
        const delay = this.#delay(n, retryable.afterMs);
        const budget = this.#reached ? this.#retry.budgetMs : Math.min(this.#retry.budgetMs, CONNECT_BUDGET_MS);
        if (n >= this.#retry.attempts || Date.now() - started + delay > budget)
          throw this.#reached ? new RetriesExhausted(attempt.what, n, retryable.message) : this.#unreachable(e, n);
        this.#options.onRetry?.(
          `${attempt.what}: ${retryable.message}; retrying in ${(delay / 1e3).toFixed(1)} s (attempt ${n + 1} of ${this.#retry.attempts})`
        );
        await this.#sleep(delay);
      }
    }
  }
  #unreachable(e, attempts) {
    const err = e;
    const why = err.code === "ENOTFOUND" ? `the host ${new URL(this.origin).hostname} does not resolve` : `${err.code ?? "no answer"}: ${err.message}${attempts > 1 ? ` (${attempts} attempts)` : ""}`;
    return new RunError(
      `cannot reach GitLab at ${this.#options.baseUrl}: ${why}`,
      `check ${setting("gitlab-url")}, or CI_API_V4_URL / CI_SERVER_URL when it comes from the job`,
      { cause: e }
    );
  }
  /** GitLab's wait if it named one, else full-jitter exponential backoff. */
  #delay(attempt, afterMs) {
    if (afterMs !== void 0) return Math.min(Math.max(afterMs, 0), this.#retry.maxDelayMs);
    const cap = Math.min(this.#retry.maxDelayMs, this.#retry.baseMs * 2 ** (attempt - 1));
    return Math.round(Math.random() * cap);
  }
  /**
   * Sends a request and follows redirects itself: credentials go only to GitLab's origin.
   * (@actions/http-client would forward PRIVATE-TOKEN and JOB-TOKEN to any host it is sent to.)
   */
  async #follow(method, start, headers, follow = true) {
    let url2 = start;
    let verb = method;
    for (let hop = 0; ; hop++) {
      const target = new URL(url2);
      const toGitLab = target.origin === this.origin;
      const sent = { ...headers };
      if (toGitLab) sent[this.#options.token.header] = this.#options.token.value;
      const began = Date.now();
      const res = await this.#http.request(verb, url2, null, sent);
      const status = res.message.statusCode ?? 0;
      if (toGitLab) this.#reached = true;
      this.#live.add(res.message);
      res.message.once("close", () => this.#live.delete(res.message));
      if (this.#options.signal?.aborted) res.message.destroy(this.#options.signal.reason);
      this.#options.onExchange?.(exchange(verb, target, toGitLab, headers, res.message, began));
      watchStall(res.message, this.#stallMs, `${verb} ${redacted(target, toGitLab)}`);
      const location = res.message.headers.location;
      if (!follow || !REDIRECTS.has(status) || !location)
        return { status, headers: res.message.headers, url: url2, body: res.message };
      res.message.resume();
      if (hop >= MAX_REDIRECTS) throw new RunError(`too many redirects from ${start}`);
      const next = new URL(location, url2);
      if (target.protocol === "https:" && next.protocol !== "https:")
        throw new RunError(
          `GitLab redirected ${target.origin} to an insecure URL (${next.origin}); refusing to follow`
        );
      if (status === 303 && verb !== "HEAD") verb = "GET";
      url2 = next.href;
    }
  }
};
var redacted = (url2, toGitLab) => toGitLab ? `${url2.pathname}${url2.search}` : `${url2.origin}${url2.pathname}`;
function exchange(verb, target, toGitLab, headers, res, began) {
  const where = toGitLab ? `${target.pathname}${target.search}` : `${target.origin}${target.pathname}`;
  const range = typeof headers.Range === "string" ? ` [Range ${headers.Range}]` : "";
  const length = res.headers["content-length"];
  const size = length === void 0 ? "" : `, ${length} bytes`;
  const to = res.headers.location ? ` to ${new URL(res.headers.location, target).origin}` : "";
  return `${verb} ${where}${range} -> ${res.statusCode}${to}${size}, ${Date.now() - began} ms`;
}
function retryAfter(headers) {
  const after = headers["retry-after"];
  if (typeof after === "string") {
    if (/^\d+$/.test(after.trim())) return Number(after) * 1e3;
    const at = Date.parse(after);
    if (!Number.isNaN(at)) return at - (Date.parse(headers.date ?? "") || Date.now());
  }
  const reset = headers["ratelimit-reset"];
  if (typeof reset === "string" && /^\d+$/.test(reset)) {
    const now = Date.parse(headers.date ?? "") || Date.now();
    return Number(reset) * 1e3 - now;
  }
  return void 0;
}
var NETWORK_CODES = /* @__PURE__ */ new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET"
]);
function networkError(e) {
  if (e instanceof RunError) return void 0;
  const err = e;
  if (err && typeof err === "object" && (NETWORK_CODES.has(err.code ?? "") || /socket hang up|timeout/i.test(err.message ?? "")))
    return new Retryable(`${err.code ?? "network error"}: ${err.message}`);
  return void 0;
}
var readText = (body) => text(body);
async function readJson(res) {
  const text2 = await readText(res.body);
  try {
    return JSON.parse(text2);
  } catch {
    throw new RunError(
      `GitLab answered ${res.url} with something that is not JSON: ${text2.slice(0, 120)}`
    );
  }
}
function sleep(ms, signal) {
  return new Promise((resolve3, reject) => {
    const done = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", done);
      resolve3();
    }, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

// src/gitlab/api.ts
var JOB_STATUSES = [
  "created",
  "waiting_for_resource",
  "preparing",
  "waiting_for_callback",
  "pending",
  "running",
  "success",
  "failed",
  "canceling",
  "canceled",
  "skipped",
  "manual",
  "scheduled"
];
var DANGLING_SOURCES = /* @__PURE__ */ new Set([
  "webide",
  "parent_pipeline",
  "ondemand_dast_scan",
  "ondemand_dast_validation",
  "security_orchestration_policy",
  "container_registry_push",
  "duo_workflow",
  "pipeline_execution_policy_schedule"
]);
var DOWNLOADABLE_TYPES = /* @__PURE__ */ new Set([
  "accessibility",
  "api_fuzzing",
  "archive",
  "cobertura",
  "jacoco",
  "codequality",
  "container_scanning",
  "dast",
  "dependency_scanning",
  "dotenv",
  "junit",
  "license_scanning",
  "lsif",
  "metrics",
  "performance",
  "browser_performance",
  "load_performance",
  "sast",
  "secret_detection",
  "requirements",
  "requirements_v2",
  "cluster_image_scanning",
  "cyclonedx"
]);
var PER_PAGE = 100;
var PAGES_IN_FLIGHT = 16;
var GitLabApi = class _GitLabApi {
  constructor(client, project2) {
    this.client = client;
    this.project = project2;
    this.#project = encodeURIComponent(project2);
    this.#web = /^\d+$/.test(project2) ? void 0 : `${client.webRoot}/${project2}/-/`;
  }
  client;
  project;
  #project;
  #web;
  #pages = new Limiter(PAGES_IN_FLIGHT);
  /** The same API for another project (a multi-project upstream pipeline's). */
  forProject(project2) {
    return new _GitLabApi(this.client, project2);
  }
  /** A web page of the project (`jobs/1001`), or "" when the project was given by id. */
  webUrl(rest) {
    return this.#web === void 0 ? "" : `${this.#web}${rest}`;
  }
  listPipelineJobs(pipelineId) {
    return this.#all(`/projects/${this.#project}/pipelines/${pipelineId}/jobs`, {
      what: `listing the jobs of pipeline ${pipelineId}`,
      route: "list-jobs"
    });
  }
  /** The newest pipeline of `ref` with status success; the list never holds child pipelines. */
  async newestSuccessfulPipeline(ref) {
    const query = { ref, status: "success", order_by: "id", sort: "desc", per_page: 1 };
    const { data } = await this.client.json(
      this.client.url(`/projects/${this.#project}/pipelines`, query),
      { what: `finding the newest successful pipeline of ${ref}`, route: "list-pipelines" }
    );
    return data[0];
  }
  listBridges(pipelineId) {
    return this.#all(`/projects/${this.#project}/pipelines/${pipelineId}/bridges`, {
      what: `listing the trigger jobs of pipeline ${pipelineId}`,
      route: "list-bridges"
    });
  }
  /** POST .../artifacts/keep: the job, its artifacts_expire_at now null. (GitLab says 200; its OpenAPI says 201.) */
  async keep(jobId) {
    const res = await this.client.request(
      "POST",
      this.client.url(`/projects/${this.#project}/jobs/${jobId}/artifacts/keep`),
      { what: `keeping the artifacts of job ${jobId}`, route: "keep" },
      {},
      (s) => s === 200 || s === 201
    );
    return readJson(res);
  }
  /** DELETE .../jobs/:id/artifacts: 204. */
  async deleteArtifacts(jobId) {
    const res = await this.client.request(
      "DELETE",
      this.client.url(`/projects/${this.#project}/jobs/${jobId}/artifacts`),
      { what: `deleting the artifacts of job ${jobId}`, route: "delete" }
    );
    res.body.resume();
  }
  /** DELETE /projects/:id/artifacts: 202, GitLab deletes in the background. Returns its message. */
  async deleteProjectArtifacts() {
    const res = await this.client.request(
      "DELETE",
      this.client.url(`/projects/${this.#project}/artifacts`),
      { what: "deleting the artifacts of the project", route: "delete-project" }
    );
    const body = await readText(res.body);
    return gitlabMessage(body);
  }
  /** One file of a job's archive (Workhorse's artifacts-entry). */
  fileUrl(jobId, path) {
    return this.client.url(
      `/projects/${this.#project}/jobs/${jobId}/artifacts/${encodePath(path)}`
    );
  }
  /** The archive, or one file of it, of a job in the newest successful pipeline of `ref`. */
  refUrl(ref, job, path) {
    const base = `/projects/${this.#project}/jobs/artifacts/${encodeURIComponent(ref)}`;
    return this.client.url(
      path === void 0 ? `${base}/download` : `${base}/raw/${encodePath(path)}`,
      { job }
    );
  }
  /**
   * Where the archive is served from, read from GitLab's own answer to a HEAD: served (200, also
   * when GitLab proxies a store) or redirected to another origin (a store). The redirect is not
   * followed: a store signs its URLs for GET, and GCS, Azure or a CDN may refuse a HEAD on them.
   */
  async storageOf(jobId) {
    const res = await this.client.peek("HEAD", this.archiveUrl(jobId), {
      what: `checking where the artifacts of job ${jobId} are stored`,
      route: "download"
    });
    res.body.resume();
    const location = res.headers.location;
    const elsewhere = typeof location === "string" && new URL(location, res.url).origin !== this.client.origin;
    return elsewhere ? "object storage" : "gitlab";
  }
  archiveUrl(jobId) {
    return this.client.url(`/projects/${this.#project}/jobs/${jobId}/artifacts`);
  }
  /**
   * Every row of a paginated list. The first page says how many pages there are (X-Total-Pages)
   * and the rest are fetched at once, at most PAGES_IN_FLIGHT in flight; a list that changed
   * while it was read (X-Total differs) is read again in order. Past 10,000 rows GitLab does not
   * count: then pages are fetched ahead, PAGES_IN_FLIGHT at once, until one comes back short or
   * empty. Rows are de-duplicated by id.
   */
  async #all(path, attempt) {
    const page = (n) => this.#pages.run(
      () => this.client.json(this.client.url(path, { per_page: PER_PAGE, page: n }), {
        ...attempt,
        what: `${attempt.what} (page ${n})`
      })
    );
    const first = await page(1);
    const totalPages = header(first.headers, "x-total-pages");
    const total = header(first.headers, "x-total");
    if (totalPages !== void 0) {
      if (totalPages <= 1) return first.data;
      const rest = await Promise.all(Array.from({ length: totalPages - 1 }, (_, i) => page(i + 2)));
      if (rest.every((r) => header(r.headers, "x-total") === total))
        return unique([first, ...rest].flatMap((r) => r.data));
      return this.#inOrder(first, page);
    }
    return unique([...first.data, ...await this.#uncounted(nextPage(first.headers), page)]);
  }
  /**
   * The pages of a list GitLab did not count, from `start` on: PAGES_IN_FLIGHT readers each take
   * the next page number as soon as their last page came back, until one page comes back short or
   * without a next page; what lies past that page is dropped. A sliding window, not batches: a
   * batch waits for its slowest page before the next one starts (12,000 jobs with 50 ms a request:
   * 1.24x the time of the same list with totals, in batches of 16).
   */
  async #uncounted(start, page) {
    if (start === void 0) return [];
    const got = /* @__PURE__ */ new Map();
    let next = start;
    let last = Infinity;
    const reader = async () => {
      while (next <= last) {
        const n = next++;
        try {
          const r = await page(n);
          got.set(n, r.data);
          if (r.data.length < PER_PAGE || nextPage(r.headers) === void 0)
            last = Math.min(last, n);
        } catch (e) {
          last = -Infinity;
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: PAGES_IN_FLIGHT }, reader));
    const rows = [];
    for (let n = start; n <= last; n++) rows.push(...got.get(n) ?? []);
    return rows;
  }
  /** Reads a list page after page through X-Next-Page (the list changed while read at once). */
  async #inOrder(first, page) {
    const rows = [...first.data];
    for (let next = nextPage(first.headers); next !== void 0; ) {
      const r = await page(next);
      rows.push(...r.data);
      next = nextPage(r.headers);
    }
    return unique(rows);
  }
};
var encodePath = (path) => path.split("/").map(encodeURIComponent).join("/");
function header(headers, name) {
  const v = headers[name];
  return typeof v === "string" && /^\d+$/.test(v) ? Number(v) : void 0;
}
var nextPage = (headers) => header(headers, "x-next-page");
function unique(rows) {
  const seen = /* @__PURE__ */ new Set();
  return rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
}

// src/options.ts
var MODES = ["download", "url", "list", "keep", "delete", "delete-project"];

// src/inputs/schema.ts
var LIST_KINDS = /* @__PURE__ */ new Set(["list", "integers", "patterns"]);
var INPUTS = {
  mode: {
    kind: "enum",
    default: "download",
    options: MODES,
    noun: "a mode",
    description: "What to do with the artifacts of the jobs found: `download`; print their `url`s (one a line, for a shell's `$(...)`; see `print`); `list` them; `keep` them (no expiry); `delete` them; or `delete-project`: every job's artifacts in the project (needs `confirm`)."
  },
  job: {
    kind: "patterns",
    description: "Names of the jobs whose artifacts to fetch, one a line or comma-separated: exact (`build`), glob (`build-*`) or `/regex/`. Parallel (`test 1/2`) and matrix (`build: [linux, amd64]`) jobs also match by their base name."
  },
  "job-id": {
    kind: "integers",
    min: 1,
    description: "Ids of the jobs to fetch, instead of `job`: no pipeline lookup."
  },
  "artifact-path": {
    kind: "string",
    description: "One file to fetch out of each job's archive, by its exact path in the archive (case-sensitive, forward slashes), instead of the whole archive."
  },
  paths: {
    kind: "list",
    description: "Files to fetch out of each job's archive without downloading all of it, one a line or comma-separated: exact paths, globs (`*` within a folder, `**` across folders) or `folder/`. The archive is read where it lies through HTTP ranges (only its directory and the wanted files travel), or downloaded whole when the server ignores ranges."
  },
  files: {
    kind: "boolean",
    default: "false",
    description: "For mode `list`: also each archive's entries (path, type, size, mode, symlink target), read from its central directory through HTTP ranges, so nothing else of it travels; with `paths`, only the matching entries."
  },
  ref: {
    kind: "string",
    description: "A branch or tag: fetch `job` from the newest successful pipeline of that ref, not from the running pipeline. The job is the one GitLab's ref endpoints serve (that pipeline, then its child pipelines, the first job of that name with artifacts), found by listing, so results carry its id and URLs; where the token may not list pipelines (a job token on older GitLab), GitLab's ref endpoint finds it and the id is unknown."
  },
  print: {
    kind: "enum",
    default: "url",
    options: ["url", "id", "web-url"],
    description: "For mode `url`, what to print for each job, a line each: the API URL of its archive (of the `artifact-path` file when given), its job id, or its web page."
  },
  "pipeline-id": {
    kind: "integer",
    min: 1,
    env: ["CI_PIPELINE_ID"],
    description: "The pipeline whose jobs `job` names."
  },
  project: {
    kind: "string",
    env: ["CI_PROJECT_ID"],
    description: "Project id or full path (`group/project`)."
  },
  "gitlab-url": {
    kind: "string",
    env: ["CI_API_V4_URL"],
    description: "GitLab's API root (`https://gitlab.example.com/api/v4`); `CI_SERVER_URL` + `/api/v4` when unset."
  },
  token: {
    kind: "string",
    secret: true,
    env: ["GITLAB_TOKEN", "CI_JOB_TOKEN"],
    description: "GitLab token: a personal, project or group access token (sent as PRIVATE-TOKEN), or a CI job token (sent as JOB-TOKEN)."
  },
  path: {
    kind: "string",
    default: ".",
    description: "Destination folder. Several jobs go to `<path>/<job name>` unless `merge` is set."
  },
  extract: {
    kind: "boolean",
    default: "true",
    description: "Extract the archives; `false` keeps each as `<path>/artifacts.zip`, or `<path>/<job name>.zip` when several jobs are fetched."
  },
  status: {
    kind: "list",
    default: "success",
    options: JOB_STATUSES,
    noun: "a job status",
    description: "Job statuses whose artifacts qualify."
  },
  "child-pipelines": {
    kind: "boolean",
    default: "true",
    description: "Also look for the jobs in child pipelines (through trigger jobs, recursively; parent first)."
  },
  upstream: {
    kind: "boolean",
    default: "false",
    description: "Also look in the pipeline that triggered this one (a child's parent), and its other child pipelines, after this pipeline and its children. The parent comes from `CI_UPSTREAM_PIPELINE_ID` and `CI_UPSTREAM_PROJECT_ID` (GitLab 18.9+), else from `PARENT_PIPELINE_ID` (set `PARENT_PIPELINE_ID: $CI_PIPELINE_ID` in the trigger job's variables on older GitLab)."
  },
  wait: {
    kind: "boolean",
    default: "false",
    description: "Wait for matching jobs that have not finished yet."
  },
  "wait-timeout": {
    kind: "duration",
    default: "30m",
    description: "How long `wait` waits, e.g. `90s`, `30m`, `1h30m` (plain numbers are seconds)."
  },
  "stall-timeout": {
    kind: "duration",
    default: "30s",
    description: "How long a response may go without a byte before it is dropped and resumed (or retried) like a broken connection."
  },
  timeout: {
    kind: "duration",
    description: "Longest the whole run may take, e.g. `10m`; on expiry it stops, removes its temporary files and fails (exit 1). Unset: no limit (wait-timeout still bounds waiting)."
  },
  "if-no-artifact-found": {
    kind: "enum",
    default: "fail",
    options: ["fail", "warn", "ignore"],
    description: "What to do when no matching job has artifacts."
  },
  concurrency: {
    kind: "integer",
    default: "4",
    min: 1,
    max: 32,
    description: "How many jobs' artifacts download at once."
  },
  merge: {
    kind: "boolean",
    default: "false",
    description: "Put several jobs' files together in `path`; files that two jobs both have are reported as conflicts."
  },
  "max-size": {
    kind: "bytes",
    default: "10GiB",
    description: "Most bytes one archive may extract to (a zip-bomb guard)."
  },
  "max-files": {
    kind: "integer",
    default: "100000",
    min: 1,
    description: "Most entries one archive may hold."
  },
  "dry-run": {
    kind: "boolean",
    default: "false",
    description: "Find the jobs and report what would be fetched, kept or deleted, and change nothing."
  },
  confirm: {
    kind: "string",
    description: "For `delete-project`, which deletes the artifacts of every job in a project: the project, exactly as given in `project`."
  },
  "max-ratio": {
    kind: "integer",
    default: "1000",
    min: 1,
    description: "Highest compression ratio an entry of 1 MiB or more may have (a zip-bomb guard)."
  },
  cache: {
    kind: "string",
    description: "Keep each job's extracted artifacts on the runner, by job id, and take them from there when the job is fetched again, with no request for its archive: a folder, or `true` for `RUNNER_TOOL_CACHE`. Whole archives, extracted, only (`artifact-path`, `paths`, `extract: false` and `ref` bypass it); see Cache."
  },
  "cache-max-size": {
    kind: "bytes",
    default: "10GiB",
    description: "Most bytes the cache's entries may hold together; past it, the least recently used entries are removed. A tree larger than this is not cached."
  }
};
var INPUT_NAMES = Object.keys(INPUTS);
var CLI_FLAGS = {
  json: {
    kind: "boolean",
    description: "Print the result as JSON on stdout (on failure too: one object with `error`), instead of a summary."
  },
  manifest: {
    kind: "string",
    description: "Also write the JSON result to this file (for later jobs: save it as an artifact)."
  },
  dotenv: {
    kind: "string",
    description: "Write a dotenv report for later jobs (artifacts:reports:dotenv): `<prefix>JOB_ID`, `_PIPELINE_ID`, `_WEB_URL`, `_ARCHIVE_URL`, `_FILE_URL`, `_DOWNLOAD_PATH`, `_FILE_COUNT`, `_BYTES`, `_SHA256`, `_FOUND` and `_MANIFEST` (the manifest's path); each only when it has a value."
  },
  "dotenv-prefix": {
    kind: "string",
    default: "PIPELINE_ARTIFACTS_",
    description: "Prefix of the dotenv keys: letters, digits and `_`."
  },
  "step-output": {
    kind: "string",
    description: "Append the outputs to this file as typed JSON lines, as a GitLab CI/CD step does."
  },
  verbose: {
    kind: "boolean",
    description: "Log every HTTP request (method, path, status, size, time, retries) and each decision made while resolving jobs; also on with CI_DEBUG_TRACE=true."
  }
};
var OUTPUTS = {
  "job-id": { type: "number", description: "Id of the (first) job whose artifacts were fetched." },
  "job-ids": {
    type: "array",
    description: "Ids of the jobs whose artifacts were fetched, as a JSON array."
  },
  "job-urls": { type: "array", description: "Web URLs of those jobs, as a JSON array." },
  "web-url": { type: "string", description: "Web URL of the (first) job." },
  "archive-url": {
    type: "string",
    description: "API URL of the (first) job's archive: download it with a PRIVATE-TOKEN or JOB-TOKEN header (curl -L)."
  },
  "archive-urls": {
    type: "array",
    description: "API URLs of the jobs' archives, as a JSON array."
  },
  "file-url": {
    type: "string",
    description: "With artifact-path: API URL of that file in the (first) job's archive."
  },
  "file-urls": {
    type: "array",
    description: "With artifact-path: API URLs of that file in each job's archive, as a JSON array."
  },
  "pipeline-id": { type: "number", description: "The pipeline the jobs were looked up in." },
  "download-path": { type: "string", description: "Absolute path of the destination folder." },
  files: {
    type: "array",
    description: "Paths of the files written, relative to download-path, as a JSON array."
  },
  "file-count": { type: "number", description: "How many files were written." },
  bytes: { type: "number", description: "Total size of what was downloaded, in bytes." },
  sha256: {
    type: "string",
    description: "SHA-256 of the downloaded archive when exactly one job's whole archive was downloaded (see artifacts for each job's); absent otherwise."
  },
  found: {
    type: "boolean",
    description: "true when any job with artifacts was found (and, in download mode, fetched), else false."
  },
  "cache-hit": {
    type: "boolean",
    description: "In download mode: true when every job's files came from the cache (no archive downloaded), false when any was downloaded; see artifacts for each job's."
  },
  artifacts: {
    type: "array",
    description: "JSON manifest, one object a job: action, id, name, pipeline, status, web_url, archive_url, file_url (with artifact-path), path, files and cache_hit (once downloaded), bytes, sha256 (when the archive was downloaded or cached), expires_at."
  }
};
var OUTPUT_NAMES = Object.keys(OUTPUTS);

// src/inputs/parse.ts
function raw(name, inputs, env) {
  const given = inputs[name]?.trim();
  if (given) return { value: given, source: `input "${name}"` };
  const def = INPUTS[name];
  for (const variable of def.env ?? []) {
    const value = env[variable]?.trim();
    if (value) return { value, source: variable };
  }
  return def.default === void 0 ? void 0 : { value: def.default, source: `input "${name}"` };
}
var quoted = (name, r) => `${JSON.stringify(r.value)}${r.source === `input "${name}"` ? "" : ` (from ${r.source})`}`;
var TRUE = /* @__PURE__ */ new Set(["true", "yes", "on", "1"]);
var FALSE = /* @__PURE__ */ new Set(["false", "no", "off", "0"]);
function parseBoolean(text2) {
  const v = text2.trim().toLowerCase();
  return TRUE.has(v) ? true : FALSE.has(v) ? false : void 0;
}
function bool(name, r) {
  const value = parseBoolean(r.value);
  if (value !== void 0) return value;
  throw new InputError(name, `${quoted(name, r)} is not a boolean; use true or false`);
}
function integer(name, r) {
  const def = INPUTS[name];
  const n = /^\d+$/.test(r.value) ? Number(r.value) : Number.NaN;
  const range = def.max === void 0 ? `of ${def.min ?? 0} or more` : `from ${def.min ?? 0} to ${def.max}`;
  if (!Number.isSafeInteger(n) || n < (def.min ?? 0) || n > (def.max ?? Number.MAX_SAFE_INTEGER))
    throw new InputError(name, `${quoted(name, r)} is not a whole number ${range}`);
  return n;
}
var DURATION_UNITS = { h: 36e5, m: 6e4, s: 1e3, ms: 1 };
function duration(name, r) {
  const text2 = r.value.replace(/\s+/g, "");
  const ms = /^\d+$/.test(text2) ? Number(text2) * 1e3 : durationParts(name, r, text2);
  if (ms === 0)
    throw new InputError(name, `${quoted(name, r)} is no time at all; give more than 0`);
  return ms;
}
function durationParts(name, r, text2) {
  const parts = [...text2.matchAll(/(\d+)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text2)
    throw new InputError(
      name,
      `${quoted(name, r)} is not a duration; use seconds (300) or a duration like 90s, 30m, 1h30m`
    );
  return parts.reduce((ms, p) => ms + Number(p[1]) * (DURATION_UNITS[p[2] ?? "s"] ?? 1e3), 0);
}
var BYTE_UNITS = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40
};
function bytes(name, r) {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(r.value);
  const unit = BYTE_UNITS[(m?.[2] ?? "").toLowerCase()];
  if (!m || unit === void 0 || Number(m[1]) * unit < 1)
    throw new InputError(
      name,
      `${quoted(name, r)} is not a size; use bytes or a size like 500MB, 10GiB`
    );
  return Math.floor(Number(m[1]) * unit);
}
var split = (text2) => text2.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
var either = (items) => items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
function oneOf(name, value) {
  const def = INPUTS[name];
  const options2 = def.options ?? [];
  if (!options2.includes(value))
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not ${def.noun ?? "accepted"}; use ${LIST_KINDS.has(def.kind) ? "one or more of " : ""}${either(options2)}`
    );
  return value;
}
var PARSERS = {
  string: (_name, r) => r.value,
  boolean: bool,
  integer,
  enum: (name, r) => oneOf(name, r.value),
  duration,
  bytes,
  list: (name, r) => {
    const items = split(r.value);
    const def = INPUTS[name];
    return def.options ? items.map((v) => oneOf(name, v)) : items;
  },
  integers: (name, r) => split(r.value).map((v) => integer(name, { ...r, value: v })),
  patterns: (name, r) => splitPatterns(r.value).map((text2) => {
    try {
      return parsePattern(text2);
    } catch (e) {
      throw new InputError(name, e.message);
    }
  })
};
function readInput(name, inputs, env) {
  const def = INPUTS[name];
  const r = raw(name, inputs, env);
  if (!r) return LIST_KINDS.has(def.kind) ? [] : void 0;
  return PARSERS[def.kind](name, r);
}
function readAll(inputs, env) {
  return Object.fromEntries(INPUT_NAMES.map((n) => [n, readInput(n, inputs, env)]));
}
var sourceOf = (name, inputs, env) => raw(name, inputs, env)?.source;
function apiUrl(v, env) {
  const given = v["gitlab-url"];
  const server = env.CI_SERVER_URL?.trim();
  const text2 = given ?? (server ? `${server.replace(/\/+$/, "")}/api/v4` : void 0);
  if (!text2)
    throw new InputError(
      "gitlab-url",
      "not set; give GitLab's API root (https://gitlab.example.com/api/v4), or run in a GitLab job (CI_API_V4_URL)"
    );
  let url2;
  try {
    url2 = new URL(text2);
  } catch {
    throw new InputError(
      "gitlab-url",
      `${JSON.stringify(text2)} is not a URL; use GitLab's API root, e.g. https://gitlab.example.com/api/v4`
    );
  }
  if (url2.protocol !== "https:" && url2.protocol !== "http:")
    throw new InputError("gitlab-url", `${JSON.stringify(text2)} is not an http(s) URL`);
  if (url2.username || url2.password || url2.search || url2.hash)
    throw new InputError(
      "gitlab-url",
      "must be a plain API root, without credentials, query or fragment"
    );
  return url2.href.replace(/\/+$/, "");
}
function token(v, inputs, env) {
  const value = v.token;
  const source = sourceOf("token", inputs, env);
  if (value === void 0 || source === void 0)
    throw new InputError(
      "token",
      "not set; give a GitLab token with read_api scope, or run in a GitLab job (CI_JOB_TOKEN)"
    );
  if (/[\x00-\x1f\x7f]/.test(value))
    throw new InputError(
      "token",
      `the token (${source}) holds a line break or another control character; give the token alone, on one line`
    );
  return tokenOf(value, source, env.CI_JOB_TOKEN?.trim());
}
function project(v) {
  const value = v.project;
  if (!value)
    throw new InputError(
      "project",
      "not set; give the project's id or full path (group/project), or run in a GitLab job (CI_PROJECT_ID)"
    );
  if (!/^\d+$/.test(value) && !/^[^/\s]+(\/[^/\s]+)+$/.test(value))
    throw new InputError(
      "project",
      `${JSON.stringify(value)} is neither a project id nor a full path like group/project`
    );
  return value;
}
function upstreamOf(env, project2) {
  const id = env.CI_UPSTREAM_PIPELINE_ID?.trim() || env.PARENT_PIPELINE_ID?.trim();
  if (!id || !/^\d+$/.test(id))
    throw new InputError(
      "upstream",
      `needs the upstream pipeline's id: CI_UPSTREAM_PIPELINE_ID (GitLab 18.9+) or PARENT_PIPELINE_ID, which the trigger job can pass (variables: PARENT_PIPELINE_ID: $CI_PIPELINE_ID)${id ? `; got ${JSON.stringify(id)}` : ", and neither is set"}`
    );
  const other = env.CI_UPSTREAM_PROJECT_ID?.trim();
  return { pipelineId: Number(id), project: other && other !== project2 ? other : void 0 };
}
function runningJob(env) {
  const id = env.CI_JOB_ID?.trim();
  return id && /^\d+$/.test(id) ? Number(id) : void 0;
}
function selector(v, inputs, env) {
  const { job: patterns, "job-id": ids, ref, wait } = v;
  if (patterns.length > 0 && ids.length > 0)
    throw new InputError("job-id", "give job names (job) or job ids (job-id), not both");
  if (patterns.length === 0 && ids.length === 0)
    throw new InputError(
      "job",
      "not set; name the jobs whose artifacts to fetch (e.g. build), or give job-id"
    );
  const byPipeline = patterns.length > 0 && ref === void 0;
  if (!byPipeline && inputs["pipeline-id"]?.trim())
    throw new InputError(
      "pipeline-id",
      `is used only to find jobs by name in a pipeline; with ${ref === void 0 ? "job-id" : "ref"} GitLab needs none`
    );
  if (!byPipeline && wait)
    throw new InputError(
      "wait",
      `waits for jobs found by name in the running pipeline; with ${ref === void 0 ? "job-id" : "ref"} there is nothing to wait for`
    );
  if (ref !== void 0) {
    if (ids.length > 0)
      throw new InputError("ref", "names a job by branch or tag; give job, not job-id");
    const [only] = patterns;
    if (patterns.length !== 1 || only?.kind !== "exact")
      throw new InputError(
        "ref",
        "GitLab looks up exactly one job name by ref: give job one exact name, no glob or regex"
      );
    return { kind: "ref", ref, name: only.text };
  }
  if (ids.length > 0) return { kind: "ids", ids };
  const pipelineId = v["pipeline-id"];
  if (pipelineId === void 0)
    throw new InputError(
      "pipeline-id",
      "not set; give the pipeline's id, or run in a GitLab job (CI_PIPELINE_ID)"
    );
  const statuses = v.status;
  if (statuses.length === 0)
    throw new InputError(
      "status",
      `is empty; use one or more of ${INPUTS.status.options.join(", ")}`
    );
  const names = {
    kind: "names",
    pipelineId,
    patterns,
    childPipelines: v["child-pipelines"],
    statuses: new Set(statuses),
    waitMs: wait ? v["wait-timeout"] : void 0,
    self: runningJob(env),
    upstream: v.upstream ? upstreamOf(env, v.project) : void 0
  };
  return names;
}
function fetch(v) {
  const { "artifact-path": file, paths, extract, mode } = v;
  if (file !== void 0) {
    const bad = file.endsWith("/") ? `${JSON.stringify(file)} names a folder; use paths for folders` : badPath(file);
    if (bad) throw new InputError("artifact-path", bad);
  }
  for (const p of paths) {
    const bad = badPath(p);
    if (bad) throw new InputError("paths", bad);
  }
  if (paths.length > 0 && file !== void 0)
    throw new InputError(
      "paths",
      "give artifact-path (one file) or paths (files, globs, folders), not both"
    );
  const picked = file !== void 0 ? "artifact-path" : paths.length > 0 ? "paths" : void 0;
  const listing = mode === "list" && v.files;
  if (picked && mode !== "download" && !(picked === "artifact-path" && mode === "url") && !(picked === "paths" && listing))
    throw new InputError(
      picked,
      `fetches ${picked === "paths" ? "files" : "a file"}, so it goes with mode download${picked === "artifact-path" ? " or url" : " (or list with files: true)"}, not ${mode}`
    );
  if (picked && !extract)
    throw new InputError(
      "extract",
      `false keeps whole archives as zip files, and ${picked} fetches files out of them; give one of the two`
    );
  if (file !== void 0) return { kind: "file", path: file };
  if (paths.length > 0) return { kind: "paths", patterns: paths };
  return { kind: "archive", extract };
}
function cache(v, env, cwd, path) {
  const given = v.cache;
  const on = given === void 0 ? false : parseBoolean(given);
  if (on === false) return void 0;
  const tool = env.RUNNER_TOOL_CACHE?.trim();
  if (on === true && !tool)
    throw new InputError(
      "cache",
      `${JSON.stringify(given)} caches in the runner's tool cache, but RUNNER_TOOL_CACHE is not set; give a folder (e.g. /var/cache/pipeline-artifacts), or false`
    );
  const root = resolve(cwd, on === true && tool ? tool : given ?? "");
  const inside = (a, b) => {
    const up = relative(b, a);
    return up !== ".." && !up.startsWith(`..${sep}`);
  };
  if (inside(root, path) || inside(path, root))
    throw new InputError(
      "cache",
      `${root} and path (${path}) lie one inside the other; give the cache a folder of its own`
    );
  return { root, maxBytes: v["cache-max-size"] };
}
function readOptions(inputs, env, cwd = process.cwd()) {
  const v = readAll(inputs, env);
  const { mode } = v;
  const what = fetch(v);
  const tok = token(v, inputs, env);
  const connection = {
    gitlabUrl: apiUrl(v, env),
    token: tok,
    caFile: env.CI_SERVER_TLS_CA_FILE?.trim() || void 0,
    stallMs: v["stall-timeout"]
  };
  const proj = project(v);
  const common = { connection, project: proj, dryRun: v["dry-run"], timeoutMs: v.timeout };
  if (mode === "delete-project") {
    const named = v.job.length > 0 ? "job" : v["job-id"].length > 0 ? "job-id" : void 0;
    if (named)
      throw new InputError(
        named,
        "delete-project works on the whole project; to delete the artifacts of some jobs, use mode delete"
      );
    refuseJobToken(tok, mode);
    if (v.confirm !== proj)
      throw new InputError(
        "confirm",
        `delete-project deletes the artifacts of every job in project ${proj} (GitLab keeps the newest successful pipeline of each ref); set confirm to ${JSON.stringify(proj)} to go ahead`
      );
    return { ...common, mode };
  }
  const chosen = selector(v, inputs, env);
  const ifNoArtifactFound = v["if-no-artifact-found"];
  if (mode === "download") {
    const path = resolve(cwd, v.path);
    return {
      ...common,
      mode,
      selector: chosen,
      fetch: what,
      path,
      merge: v.merge,
      concurrency: v.concurrency,
      limits: { maxBytes: v["max-size"], maxEntries: v["max-files"], maxRatio: v["max-ratio"] },
      ifNoArtifactFound,
      cache: cache(v, env, cwd, path)
    };
  }
  if (mode === "url")
    return {
      ...common,
      mode,
      selector: chosen,
      print: v.print,
      filePath: what.kind === "file" ? what.path : void 0,
      ifNoArtifactFound
    };
  if (chosen.kind === "ref")
    throw new InputError(
      "ref",
      `works with modes download and url only (GitLab's ref endpoints download), not ${mode}`
    );
  refuseJobToken(tok, mode);
  if (mode === "list")
    return {
      ...common,
      mode,
      selector: chosen,
      ifNoArtifactFound,
      entries: v.files ? { patterns: v.paths } : void 0
    };
  return { ...common, mode, selector: chosen, ifNoArtifactFound };
}
function refuseJobToken(tok, mode) {
  if (!isJobToken(tok) || mode !== "keep" && mode !== "delete" && mode !== "delete-project")
    return;
  throw new InputError(
    "token",
    `a CI job token (${tok.source}) cannot ${mode === "keep" ? "keep" : "delete"} artifacts: GitLab accepts only access tokens there; set token to a personal, project or group access token with api scope and at least the ${mode === "keep" ? "Developer" : "Maintainer"} role`
  );
}

// src/resolve/jobs.ts
var ACTIVE = /* @__PURE__ */ new Set([
  "created",
  "waiting_for_resource",
  "preparing",
  "waiting_for_callback",
  "pending",
  "running",
  "canceling",
  "scheduled"
]);
async function readHierarchy(api, root, children, log) {
  const jobs = /* @__PURE__ */ new Map();
  const found = /* @__PURE__ */ new Set([root]);
  let searchChildren = children;
  const bridgesOf = async (id) => {
    try {
      return await api.listBridges(id);
    } catch (e) {
      if (e instanceof GitLabError && api.client.jobToken && id === root) {
        log.warn(
          `child pipelines not searched: this GitLab does not let a CI job token list trigger jobs (${e.gitlab}); set ${setting("token")} to an access token with read_api to include them, or ${setting("child-pipelines", "false")} to silence this`
        );
        searchChildren = false;
        return [];
      }
      throw e;
    }
  };
  for (let level = [root]; level.length > 0; ) {
    const read = await Promise.all(
      level.map(
        (id) => Promise.all([api.listPipelineJobs(id), searchChildren ? bridgesOf(id) : []])
      )
    );
    const next = [];
    for (const [i, [list2, bridges]] of read.entries()) {
      jobs.set(level[i] ?? 0, list2);
      if (!searchChildren) continue;
      for (const bridge of bridges) {
        const child = bridge.downstream_pipeline;
        if (child && child.project_id === bridge.pipeline.project_id && !found.has(child.id)) {
          found.add(child.id);
          next.push(child.id);
        }
      }
    }
    level = next;
  }
  const descendants = [...found].filter((id) => id !== root).sort((a, b) => a - b);
  return { pipelines: [root, ...descendants], jobs };
}
var inSearchOrder = (h) => h.pipelines.flatMap((id) => (h.jobs.get(id) ?? []).slice().sort((a, b) => a.id - b.id));
function selectJobs(patterns, h, self) {
  const byName = /* @__PURE__ */ new Map();
  let running;
  for (const job of inSearchOrder(h))
    if (job.id === self) running = job;
    else if (!byName.has(job.name)) byName.set(job.name, job);
  const selected = [];
  const unmatched = [];
  const taken = /* @__PURE__ */ new Set();
  for (const pattern of patterns) {
    const names = select(pattern, byName.keys());
    if (names.length === 0) unmatched.push(pattern);
    for (const name of names) {
      const job = byName.get(name);
      if (job && !taken.has(job.id)) {
        taken.add(job.id);
        selected.push({ pattern, job });
      }
    }
  }
  const matchedSelf = running && patterns.some((p) => select(p, [running.name]).length > 0);
  return { selected, unmatched, self: matchedSelf ? running : void 0 };
}
var awaited = (status, accepted) => ACTIVE.has(status) && !accepted.has(status);
var DEFAULT_POLL = {
  initialMs: 5e3,
  maxMs: 3e4,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms))
};
async function waitForJobs(api, selected, options2, poll, log) {
  const started = Date.now();
  let current = selected;
  let delay = poll.initialMs;
  const describe = (s) => `${s.job.name} (${s.job.status})`;
  const unfinished = (s) => awaited(s.job.status, options2.statuses);
  log.info(`waiting for ${current.filter(unfinished).map(describe).join(", ")}`);
  for (; ; ) {
    const active = current.filter(unfinished);
    if (active.length === 0) return current;
    const elapsed = Date.now() - started;
    if (elapsed >= options2.waitMs)
      throw new RunError(
        `timed out after ${Math.round(elapsed / 1e3)} s waiting for ${active.map(describe).join(", ")}`,
        `raise ${setting("wait-timeout")}, or fetch the artifacts in a later stage`
      );
    await abortable(poll.sleep(Math.min(delay, options2.waitMs - elapsed)), options2.signal);
    delay = Math.min(delay * 1.5, poll.maxMs);
    const pipelines = [...new Set(active.map((s) => s.job.pipeline.id))];
    const fresh = /* @__PURE__ */ new Map();
    for (const id of pipelines) fresh.set(id, await api.listPipelineJobs(id));
    current = current.map((s) => {
      const jobs = fresh.get(s.job.pipeline.id);
      if (!jobs) return s;
      const now = jobs.filter((j) => j.name === s.job.name).sort((a, b) => b.id - a.id)[0];
      if (!now) return s;
      if (now.status !== s.job.status || now.id !== s.job.id)
        log.info(
          `${s.job.name}: ${s.job.status} -> ${now.status}${now.id !== s.job.id ? ` (retried as job ${now.id})` : ""}`
        );
      return { ...s, job: now };
    });
  }
}
function abortable(wait, signal) {
  if (!signal) return wait;
  signal.throwIfAborted();
  return new Promise((resolve3, reject) => {
    const stop2 = () => reject(signal.reason);
    signal.addEventListener("abort", stop2, { once: true });
    wait.then(
      () => {
        signal.removeEventListener("abort", stop2);
        resolve3();
      },
      (e) => {
        signal.removeEventListener("abort", stop2);
        reject(e);
      }
    );
  });
}

// src/util/text.ts
function nearest(names, wanted, most = 5) {
  const base = (n) => n.slice(n.lastIndexOf("/") + 1).toLowerCase();
  const scored = names.filter((n) => !n.endsWith("/")).map((n) => {
    if (n.toLowerCase() === wanted.toLowerCase()) return { n, score: 0 };
    if (base(n) === base(wanted)) return { n, score: 1 };
    return { n, score: 1 + distance(n.toLowerCase(), wanted.toLowerCase()) };
  }).filter((x) => x.score <= 4).sort((a, b) => a.score - b.score || a.n.localeCompare(b.n));
  return scored.slice(0, most).map((x) => x.n);
}
function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      );
    row = next;
  }
  return row[b.length] ?? 0;
}

// src/resolve/targets.ts
async function resolveTargets(selector2, ctx) {
  if (selector2.kind !== "ref") return resolveJobs(selector2, ctx);
  try {
    return await byRef(selector2, ctx);
  } catch (e) {
    if (!(e instanceof GitLabError && ctx.api.client.jobToken && [401, 403, 404].includes(e.status)))
      throw e;
    ctx.log.warn(
      `${selector2.name}: the job id is unknown: this GitLab does not let a CI job token list pipelines (${e.gitlab}), so GitLab's ref endpoint finds the job itself; set ${setting("token")} to an access token with read_api to know the job`
    );
    return { targets: [refJob(selector2, ctx.api)], missing: [] };
  }
}
function refJob({ ref, name }, api) {
  const browse = `jobs/artifacts/${encodeURIComponent(ref)}/browse?job=${encodeURIComponent(name)}`;
  return {
    kind: "ref",
    ref,
    name,
    label: `${name} of ref ${ref}`,
    webUrl: api.webUrl(browse),
    archiveUrl: api.refUrl(ref, name)
  };
}
async function byRef(selector2, ctx) {
  const { api, log } = ctx;
  const { ref, name } = selector2;
  const newest = await api.newestSuccessfulPipeline(ref);
  if (!newest)
    return {
      targets: [],
      missing: [{ why: `no successful pipeline of ${ref}, so no job ${JSON.stringify(name)}` }]
    };
  if (newest.ref !== ref || DANGLING_SOURCES.has(newest.source)) {
    log.warn(
      `${name}: the job id is unknown: pipeline ${newest.id} (${newest.source} on ${newest.ref}), the newest successful one listed for ${ref}, is not one GitLab's ref lookup starts from, so GitLab's ref endpoint finds the job itself`
    );
    return { targets: [refJob(selector2, api)], missing: [] };
  }
  const where = `pipeline ${newest.id} (the newest successful pipeline of ${ref}) or its child pipelines`;
  const hierarchy = await log.group(
    `Finding ${name} in ${where}`,
    () => readHierarchy(api, newest.id, true, log)
  );
  const found = { targets: [], pipelineId: newest.id };
  const jobs = inSearchOrder(hierarchy);
  const job = jobs.find((j) => j.name === name && downloadable(j));
  if (!job)
    return {
      ...found,
      missing: [
        {
          why: `no job ${JSON.stringify(name)} with artifacts in ${where}`,
          hint: closeNames(name, [...new Set(jobs.map((j) => j.name))])
        }
      ]
    };
  if (!hasArchive(job))
    return {
      ...found,
      missing: [
        {
          why: `${job.name} (job ${job.id} of pipeline ${job.pipeline.id}), the job GitLab's ref endpoints choose in ${where}, has reports but no artifacts archive`
        }
      ]
    };
  const target = jobTarget(job, api);
  log.info(
    `${name}: job ${target.id} of pipeline ${target.pipelineId} (${target.status}), from the newest successful pipeline of ${ref}, not the running pipeline`
  );
  return { ...found, targets: [target], missing: [] };
}
var downloadable = (job) => job.artifacts_file !== void 0 || (job.artifacts ?? []).some((a) => DOWNLOADABLE_TYPES.has(a.file_type));
function jobTarget(job, api, project2) {
  return {
    kind: "job",
    id: job.id,
    name: job.name,
    label: `${job.name} (job ${job.id})`,
    pipelineId: job.pipeline.id,
    status: job.status,
    webUrl: job.web_url,
    archiveUrl: (project2 === void 0 ? api : api.forProject(project2)).archiveUrl(job.id),
    ...project2 === void 0 ? {} : { project: project2 },
    size: archiveSize(job),
    expiresAt: job.artifacts_expire_at
  };
}
async function resolveJobs(selector2, ctx) {
  if (selector2.kind === "names") return byNames(selector2, ctx);
  return {
    targets: selector2.ids.map((id) => ({
      kind: "job",
      id,
      name: `job ${id}`,
      label: `job ${id}`,
      pipelineId: void 0,
      status: void 0,
      webUrl: ctx.api.webUrl(`jobs/${id}`),
      archiveUrl: ctx.api.archiveUrl(id),
      size: 0,
      expiresAt: void 0
    })),
    missing: []
  };
}
async function byNames(selector2, ctx) {
  const { api, log } = ctx;
  const { pipelineId } = selector2;
  const hierarchy = await log.group(
    `Finding ${selector2.patterns.map((p) => p.text).join(", ")} in pipeline ${pipelineId}`,
    async () => {
      const own = await readHierarchy(api, pipelineId, selector2.childPipelines, log);
      const h = selector2.upstream ? await withUpstream(own, selector2.upstream, ctx) : own;
      const count = [...h.jobs.values()].reduce((n, jobs) => n + jobs.length, 0);
      const children = own.pipelines.slice(1);
      const upstream = h.pipelines.slice(own.pipelines.length);
      log.info(
        `${count} jobs in pipeline ${pipelineId}${children.length > 0 ? ` and ${children.length} child pipeline(s) (${children.join(", ")})` : ""}${upstream.length > 0 ? ` and upstream pipeline(s) ${upstream.join(", ")}` : ""}`
      );
      return h;
    }
  );
  const where = `pipeline ${pipelineId}${selector2.childPipelines ? " or its child pipelines" : ""}${selector2.upstream ? ` or upstream pipeline ${selector2.upstream.pipelineId}` : ""}`;
  const found = selectJobs(selector2.patterns, hierarchy, selector2.self);
  const { self } = found;
  const itself = (p) => self !== void 0 && select(p, [self.name]).length > 0;
  if (self)
    log.info(
      `${self.name} (job ${self.id}) is the job running this and is left out, though it matches`
    );
  const names = [...new Set([...hierarchy.jobs.values()].flat().map((j) => j.name))];
  const missing = found.unmatched.map(
    (p) => itself(p) ? {
      why: `${JSON.stringify(p.text)} matches only ${self?.name} (job ${self?.id}), the job running this, in ${where}`
    } : {
      why: `no job matches ${JSON.stringify(p.text)} in ${where}`,
      hint: closeNames(p.text, names)
    }
  );
  for (const s of found.selected)
    log.debug(
      `${JSON.stringify(s.pattern.text)} selects ${s.job.name} (job ${s.job.id} of pipeline ${s.job.pipeline.id}, ${s.job.status})`
    );
  let { selected } = found;
  const active = selected.filter((s) => awaited(s.job.status, selector2.statuses));
  if (active.length > 0) {
    if (selector2.waitMs === void 0)
      throw new RunError(
        `${active.map((s) => `${s.job.name} (job ${s.job.id}) is still ${s.job.status}`).join("; ")}`,
        `use ${setting("wait", "true")} to wait for it (up to ${setting("wait-timeout")}), or fetch the artifacts in a later stage`
      );
    const waitMs = selector2.waitMs;
    selected = await log.group(
      "Waiting for jobs to finish",
      () => waitForJobs(
        api,
        selected,
        { waitMs, statuses: selector2.statuses, signal: ctx.signal },
        ctx.poll,
        log
      )
    );
  }
  const targets = [];
  for (const { job } of selected) {
    const why = unqualified(job, selector2.statuses);
    if (why) {
      missing.push({ why: `${job.name} (job ${job.id}) ${why}` });
      log.debug(`${job.name} (job ${job.id}) left out: ${why}`);
    } else targets.push(jobTarget(job, api, hierarchy.projects?.get(job.pipeline.id)));
  }
  for (const t of targets)
    log.info(`${t.name}: job ${t.id} of pipeline ${t.pipelineId} (${t.status})`);
  return { targets, missing, pipelineId };
}
var archiveOf = (job) => job.artifacts?.find((a) => a.file_type === "archive");
var hasArchive = (job) => job.artifacts_file !== void 0 || archiveOf(job) !== void 0;
var archiveSize = (job) => job.artifacts_file?.size ?? archiveOf(job)?.size ?? 0;
function unqualified(job, statuses) {
  if (!statuses.has(job.status))
    return `finished with status ${job.status}, and status accepts ${[...statuses].join(", ")}`;
  if (!hasArchive(job)) return "has no artifacts archive (none uploaded, expired or deleted)";
  return void 0;
}
function closeNames(text2, names) {
  const near = nearest(names, text2, 3);
  return near.length > 0 ? `did you mean ${near.map((n) => JSON.stringify(n)).join(" or ")}?` : void 0;
}
async function withUpstream(own, upstream, ctx) {
  const api = upstream.project === void 0 ? ctx.api : ctx.api.forProject(upstream.project);
  ctx.log.info(
    `also searching upstream pipeline ${upstream.pipelineId}${upstream.project === void 0 ? "" : ` of project ${upstream.project}`} and its child pipelines`
  );
  const up = await readHierarchy(api, upstream.pipelineId, true, ctx.log);
  const jobs = new Map(own.jobs);
  const pipelines = [...own.pipelines];
  const projects = /* @__PURE__ */ new Map();
  for (const id of up.pipelines)
    if (!jobs.has(id)) {
      jobs.set(id, up.jobs.get(id) ?? []);
      pipelines.push(id);
      if (upstream.project !== void 0) projects.set(id, upstream.project);
    }
  return { pipelines, jobs, projects };
}

// src/commands/session.ts
function settle(missing, policy, log) {
  const reasons = missing.map((m) => m.why);
  if (missing.length === 0 || policy === "ignore") return reasons;
  if (policy === "warn") {
    log.warn(`no artifacts for ${reasons.join("; ")}`);
    return reasons;
  }
  const hints = [...new Set(missing.map((m) => m.hint).filter((h) => h !== void 0))];
  throw new RunError(
    `no artifacts for ${reasons.join("; ")}`,
    hints.length > 0 ? hints.join("; ") : `use ${setting("if-no-artifact-found", "warn")} or ${setting("if-no-artifact-found", "ignore")} if that is expected`
  );
}
function resultOf(options2, jobs, missing, rest = {}) {
  const { selector: selector2 } = options2;
  return {
    mode: options2.mode,
    dryRun: options2.dryRun,
    pipelineId: void 0,
    downloadPath: void 0,
    jobs,
    found: jobs.length > 0,
    missing,
    conflicts: [],
    ...selector2?.kind === "ref" ? { ref: selector2.ref } : {},
    ...rest
  };
}

// src/commands/jobs.ts
async function eachJob(options2, session, act) {
  const found = await resolveJobs(options2.selector, session);
  const missing = settle(found.missing, options2.ifNoArtifactFound, session.log);
  const jobs = [];
  for (const job of found.targets) jobs.push(await act(job));
  return resultOf(options2, jobs, missing, { pipelineId: found.pipelineId });
}
function fileUrlOf(api, t, path) {
  if (t.kind === "ref") return api.refUrl(t.ref, t.name, path);
  return (t.project === void 0 ? api : api.forProject(t.project)).fileUrl(t.id, path);
}
function info(t, fileUrl) {
  const urls = { webUrl: t.webUrl, archiveUrl: t.archiveUrl, ...fileUrl ? { fileUrl } : {} };
  if (t.kind === "ref")
    return {
      id: void 0,
      name: t.name,
      pipelineId: void 0,
      status: void 0,
      ...urls,
      bytes: 0
    };
  return {
    id: t.id,
    name: t.name,
    pipelineId: t.pipelineId,
    status: t.status,
    ...urls,
    bytes: t.size,
    expiresAt: t.expiresAt
  };
}

// src/commands/delete.ts
var deleteArtifacts = (options2, session) => eachJob(options2, session, async (job) => {
  if (options2.dryRun) return { ...info(job), action: "would-delete" };
  await session.api.deleteArtifacts(job.id);
  session.log.info(`${job.label}: artifacts deleted`);
  return { ...info(job), action: "deleted" };
});

// src/commands/delete-project.ts
var deleteProject = async (options2, session) => {
  const note = options2.dryRun ? `Would ask GitLab to delete the artifacts of every job in project ${options2.project} (the newest successful pipeline of each ref is kept).` : `GitLab accepted deleting the artifacts of project ${options2.project} (${await session.api.deleteProjectArtifacts()}); it deletes them in the background and keeps the newest successful pipeline of each ref.`;
  session.log.info(note);
  return resultOf(options2, [], [], { note });
};

// src/commands/download.ts
import { constants as constants3 } from "node:fs";
import { access, mkdir as mkdir3, rename as rename3, stat as stat2 } from "node:fs/promises";
import { dirname as dirname4, join as join4 } from "node:path";

// src/archive/extract.ts
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import {
  lstat,
  mkdir,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  symlink,
  writeFile
} from "node:fs/promises";
import { dirname as dirname2, join, posix, relative as relative2, sep as sep2 } from "node:path";
import { pipeline } from "node:stream/promises";
import { crc32 as crc322, createInflateRaw as createInflateRaw2 } from "node:zlib";

// src/util/cleanup.ts
import { rmSync } from "node:fs";
var pending = /* @__PURE__ */ new Set();
var writers = /* @__PURE__ */ new Set();
var registerTemporary = (path) => void pending.add(path);
var unregisterTemporary = (path) => void pending.delete(path);
function registerWriter(stop2) {
  writers.add(stop2);
  return () => void writers.delete(stop2);
}
function removeTemporariesSync() {
  for (const stop2 of writers) {
    stop2();
    writers.delete(stop2);
  }
  for (const path of pending) {
    rmSync(path, { recursive: true, force: true });
    pending.delete(path);
  }
}

// src/util/files.ts
import { close, open, write, writeSync } from "node:fs";
import { promisify } from "node:util";
var writeAsync = promisify(write);
var openAsync = promisify(open);
var closeAsync = promisify(close);
function writeAll(fd, bytes2, position) {
  for (let at = 0; at < bytes2.length; )
    at += writeSync(
      fd,
      bytes2,
      at,
      bytes2.length - at,
      position === void 0 ? null : position + at
    );
}
var POOL_BUFFERS = 8;
var POOL_BUFFER = 256 * 1024;
var WRITES_IN_FLIGHT = 2;
var pool = { free: [], made: 0, waiting: [] };
var writes = new Limiter(WRITES_IN_FLIGHT);
function takeBuffer() {
  const free = pool.free.pop();
  if (free) return free;
  if (pool.made < POOL_BUFFERS) {
    pool.made++;
    return Buffer.allocUnsafeSlow(POOL_BUFFER);
  }
  return new Promise((resolve3) => pool.waiting.push(resolve3));
}
function giveBack(buffer2) {
  const next = pool.waiting.shift();
  if (next) next(buffer2);
  else pool.free.push(buffer2);
}
async function writeFully(fd, buffer2, length, position) {
  for (let at = 0; at < length; )
    at += (await writeAsync(fd, buffer2, at, length - at, position + at)).bytesWritten;
}
var PooledFile = class _PooledFile {
  #buffer;
  #used = 0;
  #position = 0;
  #writing = 0;
  #failure;
  /** Called once the file's writes in flight are done. */
  #settled = [];
  #fd;
  constructor(fd) {
    this.#fd = fd;
  }
  static async create(target, mode) {
    return new _PooledFile(await openAsync(target, "wx", mode));
  }
  /**
   * The free part of the buffer being filled (a buffer of the pool is taken first if none is):
   * fill some of it, then say how much with `filled`.
   */
  space() {
    if (this.#failure) throw this.#failure;
    if (this.#buffer) return this.#buffer.subarray(this.#used);
    const taken = takeBuffer();
    if (!(taken instanceof Promise)) return this.#fill(taken);
    return taken.then((b) => this.#fill(b));
  }
  #fill(buffer2) {
    if (this.#failure || this.#fd === void 0) {
      giveBack(buffer2);
      throw this.#failure ?? new Error("the file was closed");
    }
    this.#buffer = buffer2;
    this.#used = 0;
    return buffer2;
  }
  /** `length` bytes of the space were filled. */
  filled(length) {
    this.#used += length;
    if (this.#buffer && this.#used === this.#buffer.length) this.#flush();
  }
  /** Copies bytes in; resolves once they are (undefined: at once). */
  write(bytes2) {
    for (let at = 0; at < bytes2.length; ) {
      const space = this.space();
      if (space instanceof Promise)
        return space.then(() => this.write(bytes2.subarray(at))).then(() => void 0);
      const n = bytes2.copy(space, 0, at);
      at += n;
      this.filled(n);
    }
    return void 0;
  }
  #flush() {
    const b = this.#buffer;
    const length = this.#used;
    this.#buffer = void 0;
    this.#used = 0;
    const at = this.#position;
    this.#position += length;
    this.#writing++;
    const fd = this.#fd;
    writes.run(() => writeFully(fd, b, length, at)).catch((e) => {
      this.#failure ??= e;
    }).finally(() => {
      giveBack(b);
      if (--this.#writing === 0) for (const then of this.#settled.splice(0)) then();
    });
  }
  /** Once no write of this file is in flight. */
  #whenSettled() {
    if (this.#writing === 0) return Promise.resolve();
    return new Promise((resolve3) => this.#settled.push(resolve3));
  }
  async #close() {
    const fd = this.#fd;
    this.#fd = void 0;
    if (fd !== void 0) await closeAsync(fd);
  }
  /** Writes what is left, and closes the file: fails as a write failed. */
  async end() {
    if (this.#used > 0) this.#flush();
    else if (this.#buffer) giveBack(this.#buffer);
    this.#buffer = void 0;
    await this.#whenSettled();
    if (this.#failure) {
      await this.#close();
      throw this.#failure;
    }
    await this.#close();
  }
  /** Gives its buffer back and closes the file, once its writes in flight are done. */
  async destroy() {
    this.#failure ??= new Error("the file was closed");
    if (this.#buffer) giveBack(this.#buffer);
    this.#buffer = void 0;
    await this.#whenSettled();
    await this.#close();
  }
};

// src/util/memory.ts
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
var collect = null;
function collector() {
  if (collect === null) {
    try {
      setFlagsFromString("--expose-gc");
      const gc = runInNewContext("typeof gc === 'function' ? gc : undefined");
      collect = typeof gc === "function" ? gc : void 0;
    } catch {
      collect = void 0;
    }
  }
  return collect;
}
var EVERY = 4 * 1024 * 1024;
var MAJOR_EVERY = 64 * 1024 * 1024;
var pending2 = 0;
var sinceMajor = 0;
function released(bytes2) {
  pending2 += bytes2;
  if (pending2 < EVERY) return;
  pending2 = 0;
  sinceMajor += EVERY;
  if (sinceMajor >= MAJOR_EVERY) {
    sinceMajor = 0;
    collector()?.({ type: "major" });
  } else collector()?.({ type: "minor" });
}

// src/archive/content.ts
import { crc32, inflateRaw, inflateRawSync } from "node:zlib";
import { promisify as promisify2 } from "node:util";
var Corrupt = class extends Error {
  constructor() {
    super("is corrupt (its CRC-32 does not match)");
  }
};
var inflateRawAsync = promisify2(inflateRaw);
var INFLATE_IN_PLACE = 16 * 1024;
var limitOf = (size) => ({
  maxOutputLength: Math.max(size + 1, 1),
  chunkSize: Math.max(size + 1, 64)
});
function sized(data, size) {
  if (data.length > size) throw new Error("too many bytes in the stream");
  if (data.length < size) throw new Error("not enough bytes in the stream");
  return data;
}
function tooLarge(e) {
  if (e.code === "ERR_BUFFER_TOO_LARGE")
    throw new Error("too many bytes in the stream", { cause: e });
  throw e;
}
function contentSync(declared2, raw2) {
  if (declared2.method === 0) return sized(raw2, declared2.size);
  try {
    return sized(inflateRawSync(raw2, limitOf(declared2.size)), declared2.size);
  } catch (e) {
    return tooLarge(e);
  }
}
async function content(declared2, raw2) {
  if (declared2.method === 0 || raw2.length < INFLATE_IN_PLACE) return contentSync(declared2, raw2);
  try {
    return sized(await inflateRawAsync(raw2, limitOf(declared2.size)), declared2.size);
  } catch (e) {
    return tooLarge(e);
  }
}
function checkCrc(declared2, data) {
  if (crc32(data) !== declared2.crc) throw new Corrupt();
}
async function checkedContent(declared2, raw2) {
  const data = await content(declared2, raw2);
  checkCrc(declared2, data);
  return data;
}

// src/archive/layout.ts
var LOCAL_SIGNATURE = 67324752;
function parseLocalHeader(bytes2, offset) {
  if (bytes2.length < 30) return { needed: 30 };
  const signature = bytes2.readUInt32LE(0);
  if (signature !== LOCAL_SIGNATURE)
    throw new Error(`invalid local file header signature: 0x${signature.toString(16)}`);
  const nameLength = bytes2.readUInt16LE(26);
  const extraLength = bytes2.readUInt16LE(28);
  if (bytes2.length < 30 + nameLength) return { needed: 30 + nameLength + extraLength };
  return {
    header: {
      fileName: bytes2.subarray(30, 30 + nameLength),
      generalPurposeBitFlag: bytes2.readUInt16LE(6),
      compressionMethod: bytes2.readUInt16LE(8),
      crc32: bytes2.readUInt32LE(14),
      compressedSize: bytes2.readUInt32LE(18),
      uncompressedSize: bytes2.readUInt32LE(22),
      fileDataStart: offset + 30 + nameLength + extraLength
    }
  };
}
var DATA_DESCRIPTOR = 8;
var ZIP64_SIZE = 4294967295;
var Layout = class {
  /** Spans seen so far, sorted by start. */
  #spans = [];
  /** Why the entry is refused, if it is; otherwise its span is recorded. */
  check(entry, local) {
    if (!local.fileName.equals(entry.fileNameRaw))
      return `has a local header that names another file (${JSON.stringify(local.fileName.toString("utf8"))}): invalid zip file`;
    if (local.compressionMethod !== entry.compressionMethod)
      return "has a local header whose compression method differs from its central record: invalid zip file";
    if ((local.generalPurposeBitFlag & DATA_DESCRIPTOR) === 0) {
      const differs = (here, there) => here !== ZIP64_SIZE && here !== there;
      if (local.crc32 !== entry.crc32 || differs(local.compressedSize, entry.compressedSize) || differs(local.uncompressedSize, entry.uncompressedSize))
        return "has a local header whose sizes or CRC-32 differ from its central record: invalid zip file";
    }
    const span = {
      start: entry.relativeOffsetOfLocalHeader,
      end: local.fileDataStart + entry.compressedSize,
      name: entry.fileName
    };
    const last = this.#spans.at(-1);
    const i = !last || last.start <= span.start ? this.#spans.length : search(this.#spans, span.start);
    const before = this.#spans[i - 1];
    const after = this.#spans[i];
    const other = before && before.end > span.start ? before : after && after.start < span.end ? after : void 0;
    if (other)
      return `shares its bytes with entry ${JSON.stringify(other.name)}: invalid zip file with overlapped components (possible zip bomb)`;
    this.#spans.splice(i, 0, span);
    return void 0;
  }
};
function search(spans, start) {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = lo + hi >> 1;
    if ((spans[mid]?.start ?? 0) <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
var END_BYTES = 20 + 22 + 65535;
var END_SIGNATURE = 101010256;
var ZIP64_LOCATOR_SIGNATURE = 117853008;
var ZIP64_END_SIGNATURE = 101075792;
function centralDirectoryStart(tail, tailStart) {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== END_SIGNATURE) continue;
    if (i + 22 + tail.readUInt16LE(i + 20) !== tail.length) continue;
    const offset = tail.readUInt32LE(i + 16);
    if (offset !== ZIP64_SIZE) return offset;
    const locator = i - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) return void 0;
    const record = Number(tail.readBigUInt64LE(locator + 8)) - tailStart;
    if (record < 0 || record + 56 > tail.length) return void 0;
    if (tail.readUInt32LE(record) !== ZIP64_END_SIGNATURE) return void 0;
    return Number(tail.readBigUInt64LE(record + 48));
  }
  return void 0;
}

// src/archive/source.ts
var import_yauzl = __toESM(require_yauzl(), 1);
import { readSync } from "node:fs";
import { open as open2 } from "node:fs/promises";
import { Readable } from "node:stream";
async function eachPiece(source, start, end, take) {
  if (source.pieces) return source.pieces(start, end, take);
  for await (const chunk of source.stream(start, end)) await take(chunk);
}
var SLICE = 256 * 1024;
function readAt(fd, position, length) {
  const buffer2 = Buffer.allocUnsafe(length);
  const got = readSync(fd, buffer2, 0, length, position);
  if (got < length) throw new Error(`unexpected end of archive at byte ${position + got}`);
  return buffer2;
}
var SMALL_READ = 64 * 1024;
var BLOCK = 1024 * 1024;
async function fileSource(path) {
  const handle = await open2(path, "r");
  try {
    const { size } = await handle.stat();
    const block = Buffer.allocUnsafeSlow(Math.min(BLOCK, size));
    let blockAt = 0;
    let blockEnd = 0;
    const read = async (position, length) => {
      if (length > SMALL_READ) return readAt(handle.fd, position, length);
      if (position < blockAt || position + length > blockEnd) {
        blockAt = position;
        blockEnd = position + readSync(handle.fd, block, 0, block.length, position);
        if (position + length > blockEnd)
          throw new Error(`unexpected end of archive at byte ${blockEnd}`);
      }
      return Buffer.from(block.subarray(position - blockAt, position - blockAt + length));
    };
    let piece;
    return {
      size,
      read,
      async pieces(start, end, take) {
        piece ??= Buffer.allocUnsafeSlow(SLICE);
        const into = piece;
        piece = void 0;
        try {
          for (let at = start; at < end; ) {
            const length = Math.min(SLICE, end - at);
            const got = readSync(handle.fd, into, 0, length, at);
            if (got < length) throw new Error(`unexpected end of archive at byte ${at + got}`);
            await take(into.subarray(0, length));
            at += length;
          }
        } finally {
          piece ??= into;
        }
      },
      stream: (start, end) => Readable.from(
        (async function* () {
          for (let at = start; at < end; at += SLICE) yield read(at, Math.min(SLICE, end - at));
        })(),
        { objectMode: false }
      ),
      close: () => handle.close()
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}
var ZIP_OPTIONS = {
  lazyEntries: true,
  decodeStrings: true,
  validateEntrySizes: true,
  strictFileNames: false,
  // The source's owner closes it.
  autoClose: false
};
var SourceReader = class extends import_yauzl.default.RandomAccessReader {
  constructor(source) {
    super();
    this.source = source;
  }
  source;
  _readStreamForRange(start, end) {
    return this.source.stream(start, end);
  }
  read(buffer2, offset, length, position, callback) {
    this.source.read(position, length).then(
      (data) => {
        data.copy(buffer2, offset);
        callback(data.length < length ? new Error("unexpected end of the archive") : null);
      },
      (e) => callback(e)
    );
  }
  close(callback) {
    callback(null);
  }
};
async function openZip(source) {
  const reader = new SourceReader(await withCentralDirectory(source));
  return new Promise(
    (resolve3, reject) => import_yauzl.default.fromRandomAccessReader(
      reader,
      source.size,
      ZIP_OPTIONS,
      (err, zip) => err || !zip ? reject(err ?? new Error("not a zip archive")) : resolve3(zip)
    )
  );
}
var CENTRAL_IN_MEMORY = 32 * 1024 * 1024;
async function readEnd(source, limit = CENTRAL_IN_MEMORY) {
  const { size } = source;
  const tailStart = Math.max(0, size - END_BYTES);
  const tail = await source.read(tailStart, size - tailStart);
  const start = centralDirectoryStart(tail, tailStart);
  if (start === void 0 || start > size || size - start > limit)
    return { start: tailStart, data: tail, central: false };
  if (start >= tailStart) return { start: tailStart, data: tail, central: true };
  const head = await source.read(start, tailStart - start);
  return { start, data: Buffer.concat([head, tail]), central: true };
}
function fromEnd(end, position, length) {
  if (position < end.start) return void 0;
  const bytes2 = end.data.subarray(position - end.start, position - end.start + length);
  if (bytes2.length < length)
    throw new Error(`unexpected end of archive at byte ${end.start + end.data.length}`);
  return bytes2;
}
async function withCentralDirectory(source) {
  const end = await readEnd(source);
  return {
    size: source.size,
    read: async (position, length) => fromEnd(end, position, length) ?? source.read(position, length),
    stream: (start, stop2) => {
      const held = fromEnd(end, start, stop2 - start);
      return held ? Readable.from([held]) : source.stream(start, stop2);
    },
    close: () => source.close()
  };
}
async function withFile(path, body) {
  const source = await fileSource(path);
  try {
    return await body(source);
  } finally {
    await source.close();
  }
}

// src/archive/inflate.ts
import { constants, createInflateRaw } from "node:zlib";
var usable;
var inflation = { handles: true };
function handles() {
  if (!inflation.handles) return false;
  if (usable === void 0) {
    const stream = createInflateRaw();
    const { _handle, _writeState } = stream;
    usable = typeof _handle?.writeSync === "function" && typeof _handle.reset === "function" && _writeState instanceof Uint32Array && _writeState.length === 2;
    stream.close();
  }
  return usable;
}
var Inflater = class {
  /** Input bytes the last step used. */
  consumed = 0;
  /** The last step filled its output: call again (with the rest of the input, if any). */
  more = false;
  #handle;
  #state;
  #error;
  constructor() {
    if (!handles()) throw new Error("zlib's handle is not as expected");
    const { _handle, _writeState } = createInflateRaw();
    this.#handle = _handle;
    this.#state = _writeState;
    this.#handle.onerror = (message2, errno, code3) => {
      this.#error = Object.assign(new Error(message2), { errno, code: code3 });
    };
  }
  /**
   * Inflates `input` from `at` into `output` until the output is full or the input is used up,
   * or, with `finish`, checks that the stream ended (zlib: "unexpected end of file"). Returns the
   * bytes written to `output`; `consumed` and `more` tell the rest.
   */
  step(input, at, output, finish = false) {
    const left = input.length - at;
    this.#handle.writeSync(
      finish ? constants.Z_FINISH : constants.Z_NO_FLUSH,
      input,
      at,
      left,
      output,
      0,
      output.length
    );
    if (this.#error) throw this.#error;
    const [outLeft = 0, inLeft = 0] = this.#state;
    this.consumed = left - inLeft;
    this.more = outLeft === 0;
    return output.length - outLeft;
  }
  /** Ready for a new stream (also after a failure). */
  reset() {
    this.#error = void 0;
    this.consumed = 0;
    this.more = false;
    this.#handle.reset();
  }
};
var spare = [];
function takeInflater() {
  const z = spare.pop() ?? new Inflater();
  z.reset();
  return z;
}
function giveBack2(z) {
  spare.push(z);
}

// src/archive/writer.ts
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
var SOURCE = String.raw`
const { parentPort, workerData } = require("node:worker_threads");
const { mkdirSync, openSync, writeSync, closeSync, symlinkSync, unlinkSync } = require("node:fs");
const { constants, createInflateRaw, crc32, inflateRawSync } = require("node:zlib");
// [0]: set by the main thread to stop; [1]: set while an operation runs (see stopNow).
const shared = new Int32Array(workerData.shared);
const EMPTY = Buffer.alloc(0);
const OUT = Buffer.allocUnsafeSlow(256 * 1024);
let failed = false;
class Corrupt extends Error {}
// zlib's handle, as inflate.ts uses it: made on first use, reset for each entry.
let handle;
let state;
let error;
function inflate(input, flush, out) {
  let at = 0;
  let left = input.length;
  for (;;) {
    handle.writeSync(flush, input, at, left, OUT, 0, OUT.length);
    if (error) throw error;
    const room = state[0];
    if (room < OUT.length) out(OUT.subarray(0, OUT.length - room));
    at += left - state[1];
    left = state[1];
    if (room !== 0) return;
  }
}
function writeAll(fd, bytes) {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}
function sized(data, size) {
  if (data.length > size) throw new Error("too many bytes in the stream");
  if (data.length < size) throw new Error("not enough bytes in the stream");
  return data;
}
function content(raw, method, size) {
  if (method === 0) return sized(raw, size);
  try {
    return sized(inflateRawSync(raw, { maxOutputLength: Math.max(size + 1, 1), chunkSize: Math.max(size + 1, 64) }), size);
  } catch (e) {
    if (e && e.code === "ERR_BUFFER_TOO_LARGE") throw new Error("too many bytes in the stream");
    throw e;
  }
}
// A new file, its content checked against its record (sizes, CRC-32) as it is written.
function writeFile(op, raw) {
  if (!workerData.zlibHandles) {
    const bytes = content(raw, op.method, op.size);
    if (crc32(bytes) !== op.crc) throw new Corrupt();
    raw = bytes;
    op = { ...op, method: 0 };
  }
  const fd = openSync(op.path, "wx", op.mode);
  let seen = 0;
  let sum = 0;
  const out = (bytes) => {
    seen += bytes.length;
    if (seen > op.size) throw new Error("too many bytes in the stream");
    sum = crc32(bytes, sum);
    writeAll(fd, bytes);
  };
  try {
    if (op.method === 8) {
      if (!handle) {
        const stream = createInflateRaw();
        handle = stream._handle;
        state = stream._writeState;
        handle.onerror = (message, errno, code) => {
          error = Object.assign(new Error(message), { errno, code });
        };
      }
      error = undefined;
      handle.reset();
      inflate(raw, constants.Z_NO_FLUSH, out);
      inflate(EMPTY, constants.Z_FINISH, out);
    } else out(raw);
    if (seen < op.size) throw new Error("not enough bytes in the stream");
    if (sum !== op.crc) throw new Corrupt();
  } finally {
    closeSync(fd);
  }
}
function run(op, raw) {
  if (op.kind === "folder") mkdirSync(op.path, { recursive: true });
  else if (op.kind === "link") symlinkSync(raw.toString("utf8"), op.path);
  else writeFile(op, raw);
}
parentPort.on("message", ({ ops, data }) => {
  if (failed) return;
  const all = Buffer.from(data);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    Atomics.store(shared, 1, 1);
    if (Atomics.load(shared, 0)) {
      Atomics.store(shared, 1, 0);
      Atomics.notify(shared, 1);
      break;
    }
    try {
      run(op, all.subarray(op.at, op.at + op.length));
    } catch (e) {
      failed = true;
      // A file that failed its checks is not left behind (one already there was not opened).
      if (op.kind === "file" && !(e && e.code === "EEXIST"))
        try {
          unlinkSync(op.path);
        } catch {}
      parentPort.postMessage(
        e instanceof Corrupt
          ? { failed: i, corrupt: true }
          : { failed: i, message: String(e && e.message), code: e && e.code },
      );
      return;
    } finally {
      Atomics.store(shared, 1, 0);
      Atomics.notify(shared, 1);
    }
  }
  parentPort.postMessage({ data }, [data]);
});
`;
var BATCH_BYTES = 1024 * 1024;
var BATCH_OPS = 1024;
var WRITER_THREADS = 2;
var BATCHES_IN_FLIGHT = 2;
var WriterThread = class {
  /** `onFailure` hears of the first failure as soon as it is known. */
  constructor(onFailure, handles2) {
    this.onFailure = onFailure;
    this.#worker = new Worker(SOURCE, {
      eval: true,
      workerData: { shared: this.#shared.buffer, zlibHandles: handles2 },
      resourceLimits: { maxYoungGenerationSizeMb: 2 }
    });
    this.#worker.on("message", (reply) => this.#reply(reply));
    this.#worker.on("error", (error2) => this.#fail(this.#sent[0]?.[0] ?? "", error2));
    this.#worker.on("exit", () => {
      if (!this.#closing)
        this.#fail(this.#sent[0]?.[0] ?? "", new Error("the writer thread stopped"));
      this.#wake();
    });
  }
  onFailure;
  #worker;
  #ops = [];
  #names = [];
  #buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  #used = 0;
  /** The entries' names of each batch in flight, oldest first (a failure comes as an index). */
  #sent = [];
  /** Buffers handed back, for the next batches. */
  #spare = [];
  #scheduled = false;
  #failure;
  /** Woken when a batch is done, or the writer failed or stopped. */
  #waiters = [];
  #closing;
  /** Shared with the thread: [0] asks it to stop, [1] is set while it runs an operation. */
  #shared = new Int32Array(new SharedArrayBuffer(8));
  /** Creates a folder, with its parents, before anything given after it. */
  folder(path) {
    this.#add(
      { kind: "folder", path, at: 0, length: 0, method: 0, size: 0, crc: 0, mode: 0 },
      path
    );
  }
  /** Creates a symlink to `target` (checked by the caller). */
  link(name, path, target) {
    return this.#entry(
      {
        kind: "link",
        path,
        at: 0,
        length: target.length,
        method: 0,
        size: 0,
        crc: 0,
        mode: 0
      },
      name,
      target
    );
  }
  /**
   * Inflates an entry's raw data when deflated, checks its size and CRC-32 against `declared`, and
   * writes it as a new file (`wx`, with `mode`). The data is copied: the caller may let it go.
   * Resolves once there is room for more (at once, mostly).
   */
  file(name, path, declared2, raw2, mode) {
    const { method, size, crc } = declared2;
    return this.#entry(
      { kind: "file", path, at: 0, length: raw2.length, method, size, crc, mode },
      name,
      raw2
    );
  }
  async #entry(op, name, bytes2) {
    if (bytes2.length > BATCH_BYTES)
      throw new Error(`an entry of ${bytes2.length} bytes is too large for the writer`);
    while (!this.#failure && (this.#used + bytes2.length > BATCH_BYTES || this.#ops.length >= BATCH_OPS)) {
      if (this.#sent.length < BATCHES_IN_FLIGHT) this.#flush();
      else await this.#next();
    }
    if (this.#failure) return;
    op.at = this.#used;
    bytes2.copy(this.#buffer, this.#used);
    this.#used += bytes2.length;
    this.#add(op, name);
  }
  #add(op, name) {
    if (this.#failure) return;
    this.#ops.push(op);
    this.#names.push(name);
    if (this.#ops.length >= BATCH_OPS && this.#sent.length < BATCHES_IN_FLIGHT) this.#flush();
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#sent.length < BATCHES_IN_FLIGHT) this.#flush();
    });
  }
  /** Hands the batch being filled over, and starts the next one. */
  #flush() {
    if (this.#failure || this.#ops.length === 0) return;
    const data = this.#buffer.buffer;
    this.#worker.postMessage({ ops: this.#ops, data }, [data]);
    this.#sent.push(this.#names);
    this.#ops = [];
    this.#names = [];
    this.#used = 0;
    const spare2 = this.#spare.pop();
    this.#buffer = spare2 ? Buffer.from(spare2) : Buffer.allocUnsafeSlow(BATCH_BYTES);
  }
  /**
   * Stops the thread at once, from any state, and returns once it runs no operation (a second at
   * most): for an exit path, before the folder it writes into is removed. Nothing given runs
   * afterwards.
   */
  stopNow() {
    Atomics.store(this.#shared, 0, 1);
    const until = Date.now() + 1e3;
    while (Atomics.load(this.#shared, 1) === 1 && Date.now() < until)
      Atomics.wait(this.#shared, 1, 1, 50);
    this.#fail(this.#sent[0]?.[0] ?? "", new Error("the writer thread was stopped"));
  }
  #reply(reply) {
    const names = this.#sent.shift() ?? [];
    if (reply.data) {
      this.#spare.push(reply.data);
      if (!this.#scheduled) this.#flush();
    } else {
      const error2 = reply.corrupt ? new Corrupt() : Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
      this.#fail(names[reply.failed ?? 0] ?? "", error2);
    }
    this.#wake();
  }
  #fail(name, error2) {
    if (this.#failure) return;
    this.#failure = { name, error: error2 };
    this.#ops = [];
    this.#names = [];
    this.onFailure(this.#failure);
    this.#wake();
  }
  #wake() {
    for (const wake of this.#waiters.splice(0)) wake();
  }
  #next() {
    return new Promise((resolve3) => this.#waiters.push(resolve3));
  }
  /**
   * Waits until everything given is written (or the writer failed), then stops the thread. The
   * caller awaits it before it uses what was written, or removes it. Once only; later calls wait
   * for the same.
   */
  close() {
    this.#closing ??= (async () => {
      while (!this.#failure && (this.#sent.length > 0 || this.#ops.length > 0)) {
        if (this.#ops.length > 0 && this.#sent.length < BATCHES_IN_FLIGHT) this.#flush();
        else await this.#next();
      }
      await this.#worker.terminate();
    })();
    return this.#closing;
  }
};
var EntryWriter = class {
  #threads;
  #unregister;
  #failure;
  /**
   * `onFailure` hears of the first failure as soon as it is known. `handles` (tests) says whether
   * the threads use zlib's handle; by default, when it is as expected.
   */
  constructor(onFailure, { threads = WRITER_THREADS, handles: handles2 = handles() } = {}) {
    const failed = (failure2) => {
      if (this.#failure) return;
      this.#failure = failure2;
      onFailure(failure2);
    };
    this.#threads = Array.from({ length: threads }, () => new WriterThread(failed, handles2));
    this.#unregister = registerWriter(() => {
      for (const t of this.#threads) t.stopNow();
    });
  }
  /** The first failure, once known: nothing given to its thread after it is written. */
  get failure() {
    return this.#failure;
  }
  /** The thread of a folder's entries. */
  #of(folder) {
    const threads = this.#threads;
    if (threads.length === 1) return threads[0];
    let hash = 0;
    for (let i = 0; i < folder.length; i++) hash = hash * 31 + folder.charCodeAt(i) | 0;
    return threads[(hash >>> 0) % threads.length];
  }
  /** Creates a folder, with its parents, before anything given for it. */
  folder(path) {
    this.#of(path).folder(path);
  }
  /** Creates a symlink to `target` (checked by the caller), once its folder is there. */
  link(name, path, target) {
    return this.#of(dirname(path)).link(name, path, target);
  }
  /**
   * Inflates an entry's raw data when deflated, checks its size and CRC-32 against `declared`, and
   * writes it as a new file (`wx`, with `mode`), once its folder is there. The data is copied:
   * the caller may let it go. Resolves once there is room for more (at once, mostly).
   */
  file(name, path, declared2, raw2, mode) {
    return this.#of(dirname(path)).file(name, path, declared2, raw2, mode);
  }
  /**
   * Waits until everything given is written (or has failed), then stops the threads. The caller
   * awaits it before it uses what was written, or removes it.
   */
  async close() {
    try {
      await Promise.all(this.#threads.map((t) => t.close()));
    } finally {
      this.#unregister();
    }
  }
};

// src/archive/extract.ts
var UnsafeArchive = class extends RunError {
  name = "UnsafeArchive";
};
var S_IFMT = 61440;
var S_IFLNK = 40960;
var S_IFDIR = 16384;
var RATIO_FLOOR = 1024 * 1024;
var MAX_LINK_TARGET = 4096;
var TINY_FILE = 16 * 1024;
var SMALL_FILE = 256 * 1024;
var isSmall = (entry) => entry.uncompressedSize <= SMALL_FILE && entry.compressedSize <= SMALL_FILE;
var STREAMING_BYTES = 1024 * 1024;
function entries(zip) {
  let waiting;
  let failed;
  let ended = false;
  const settle2 = (then) => {
    const w = waiting;
    waiting = void 0;
    if (w) then(w);
  };
  zip.on("entry", (e) => settle2((w) => w.resolve(e)));
  zip.on("end", () => {
    ended = true;
    settle2((w) => w.resolve(void 0));
  });
  zip.on("error", (e) => {
    failed ??= e;
    settle2((w) => w.reject(e));
  });
  return () => new Promise((resolve3, reject) => {
    if (failed) return reject(failed);
    if (ended) return resolve3(void 0);
    waiting = { resolve: resolve3, reject };
    zip.readEntry();
  });
}
async function listEntries(source, wanted) {
  const zip = await openZip(source);
  const listed = [];
  try {
    const next = entries(zip);
    for (let entry = await next(); entry; entry = await next()) {
      const mode = modeOf(entry);
      const isDir = entry.fileName.endsWith("/") || (mode & S_IFMT) === S_IFDIR;
      const isLink = (mode & S_IFMT) === S_IFLNK;
      const path = isDir ? entry.fileName : canonical(entry.fileName);
      if (wanted && (isDir || !wanted(path))) continue;
      const item = {
        path,
        type: isDir ? "directory" : isLink ? "symlink" : "file",
        size: entry.uncompressedSize,
        ...mode & 511 ? { mode: (mode & 511).toString(8) } : {}
      };
      if (isLink && entry.uncompressedSize <= MAX_LINK_TARGET) {
        const { data } = await readLocal(source, entry, true);
        item.target = (await content(declared(entry), data ?? Buffer.alloc(0))).toString("utf8");
      }
      listed.push(item);
    }
  } finally {
    zip.close();
  }
  return listed;
}
function folderMaker(writer) {
  const made = /* @__PURE__ */ new Set();
  return (path) => {
    if (made.has(path)) return;
    if (writer) writer.folder(path);
    else mkdirSync(path, { recursive: true });
    made.add(path);
  };
}
var extraction = { writerFrom: 2048, writerAverage: 64 * 1024 };
var declared = (entry) => ({
  method: entry.compressionMethod,
  size: entry.uncompressedSize,
  crc: entry.crc32
});
function modeOf(entry) {
  const unix = entry.versionMadeBy >> 8 === 3;
  return unix ? entry.externalFileAttributes >>> 16 : 0;
}
var PARALLEL_ENTRIES = 32;
var PARALLEL_BYTES = 32 * 1024 * 1024;
var PARALLEL_LARGE = 4;
async function readLocal(source, entry, withData) {
  const at = entry.relativeOffsetOfLocalHeader;
  const room = source.size - at;
  if (room < 30) throw new Error(`local header out of bounds at byte ${at}`);
  const guess = 30 + entry.fileNameLength + entry.extraFieldLength;
  let bytes2 = await source.read(at, Math.min(room, guess + (withData ? entry.compressedSize : 0)));
  let parsed = parseLocalHeader(bytes2, at);
  if ("needed" in parsed) {
    bytes2 = await source.read(at, Math.min(room, parsed.needed));
    parsed = parseLocalHeader(bytes2, at);
    if ("needed" in parsed) throw new Error(`local header out of bounds at byte ${at}`);
  }
  const { header: header2 } = parsed;
  const end = header2.fileDataStart + entry.compressedSize;
  if (end > source.size)
    throw new Error(`file data overflows file bounds: ${end} > ${source.size}`);
  if (!withData) return { header: header2 };
  const start = header2.fileDataStart - at;
  const data = bytes2.length >= start + entry.compressedSize ? bytes2.subarray(start, start + entry.compressedSize) : await source.read(header2.fileDataStart, entry.compressedSize);
  return { header: header2, data };
}
var INFLATE_CHUNK = 128 * 1024;
var EMPTY = Buffer.alloc(0);
function contentCheck(entry) {
  const size = entry.uncompressedSize;
  let seen = 0;
  let crc = 0;
  return {
    chunk(bytes2) {
      seen += bytes2.length;
      if (seen > size) throw new Error("too many bytes in the stream");
      crc = crc322(bytes2, crc);
    },
    end() {
      if (seen < size) throw new Error("not enough bytes in the stream");
      if (crc !== entry.crc32) throw new Corrupt();
    }
  };
}
async function writeLarge(archive, entry, start, target, mode, hold) {
  const file = await PooledFile.create(target, mode);
  const check = contentCheck(entry);
  const end = start + entry.compressedSize;
  const deflated = entry.compressionMethod === 8;
  const z = deflated && handles() ? takeInflater() : void 0;
  try {
    const inflate = async (z2, input, finish) => {
      let at = 0;
      do {
        const space = file.space();
        const room = space instanceof Promise ? await space : space;
        const n = z2.step(input, at, room, finish);
        at += z2.consumed;
        check.chunk(room.subarray(0, n));
        file.filled(n);
      } while (z2.more);
    };
    const copy = async (bytes2) => {
      check.chunk(bytes2);
      const written = file.write(bytes2);
      if (written) await written;
    };
    let given;
    if (z) given = eachPiece(archive, start, end, (piece) => inflate(z, piece, false));
    else if (!deflated) given = eachPiece(archive, start, end, copy);
    else {
      let stopped;
      given = pipeline(
        archive.stream(start, end),
        createInflateRaw2({ chunkSize: INFLATE_CHUNK }),
        async (inflated) => {
          for await (const chunk of inflated) {
            await copy(chunk).catch((e) => {
              throw stopped = e;
            });
            released(chunk.length);
          }
        }
      ).catch((e) => {
        throw stopped ?? e;
      });
    }
    hold?.release();
    await given;
    if (z) await inflate(z, EMPTY, true);
    check.end();
    await file.end();
  } catch (e) {
    await file.destroy();
    throw e;
  } finally {
    if (z) giveBack2(z);
  }
}
async function stage(archive, dest, options2) {
  const { limits, label, wanted, signal } = options2;
  const dir = await openStaging(dest);
  let zip;
  let writer;
  const inFlight = /* @__PURE__ */ new Set();
  try {
    try {
      zip = await openZip(archive);
    } catch (e) {
      throw new UnsafeArchive(
        `the artifacts of ${label} are not a readable zip archive: ${e.message}`
      );
    }
    if (zip.entryCount > limits.maxEntries)
      throw new UnsafeArchive(
        `the artifacts of ${label} hold ${zip.entryCount} entries, more than max-files (${limits.maxEntries})`,
        `raise ${setting("max-files")} if the archive is trusted`
      );
    const files = [];
    const dirs = [];
    const kinds = /* @__PURE__ */ new Map();
    const links = /* @__PURE__ */ new Set();
    const layout = new Layout();
    let bytes2 = 0;
    let bytesInFlight = 0;
    let largeInFlight = 0;
    let wakeTake;
    let failure2;
    const refuse = (name, why, hint) => {
      throw new UnsafeArchive(
        `the artifacts of ${label} are refused: entry ${JSON.stringify(name)} ${why}`,
        hint
      );
    };
    const blame = (name, e) => e instanceof UnsafeArchive || signal?.aborted ? e : new UnsafeArchive(
      `the artifacts of ${label} are refused: entry ${JSON.stringify(name)}${e instanceof Corrupt ? " " : ": "}${e.message}`
    );
    writer = zip.entryCount >= extraction.writerFrom && archive.size / zip.entryCount <= extraction.writerAverage ? new EntryWriter(({ name, error: error2 }) => void (failure2 ??= blame(name, error2))) : void 0;
    const folder = folderMaker(writer);
    const write2 = async (entry, name, target, hold) => {
      const perms = (modeOf(entry) & 511 || 420) | 384;
      try {
        const { header: header2, data } = await readLocal(archive, entry, isSmall(entry));
        const misplaced = layout.check(entry, header2);
        if (misplaced) refuse(name, misplaced);
        folder(dirname2(target));
        if (data) {
          hold?.release();
          if (writer) return await writer.file(name, target, declared(entry), data, perms);
          const bytes3 = await checkedContent(declared(entry), data);
          const options3 = { mode: perms, flag: "wx" };
          if (bytes3.length <= TINY_FILE) writeFileSync(target, bytes3, options3);
          else await writeFile(target, bytes3, options3);
          return;
        }
        if (writer) mkdirSync(dirname2(target), { recursive: true });
        await writeLarge(archive, entry, header2.fileDataStart, target, perms, hold);
      } finally {
        hold?.release();
      }
    };
    const take = async (entry, name) => {
      const isDir = entry.fileName.endsWith("/") || (modeOf(entry) & S_IFMT) === S_IFDIR;
      if (name === "" || wanted && (isDir || !wanted(name))) return;
      if (name === ".." || name.startsWith("../")) refuse(name, "points outside the destination");
      for (let p = posix.dirname(name); p !== "."; p = posix.dirname(p)) {
        const kind = kinds.get(p);
        if (kind === "folder") break;
        if (links.has(p)) refuse(name, `would be written through the symlink ${JSON.stringify(p)}`);
        if (kind === "file")
          refuse(name, `lies under ${JSON.stringify(p)}, which the archive also has as a file`);
      }
      const was = kinds.get(name);
      if (isDir) {
        if (was === "file") refuse(name, "is a folder, and the archive also has it as a file");
      } else if (was === "file") refuse(name, "appears twice");
      else if (was === "folder") refuse(name, "is a file, and the archive also has it as a folder");
      kinds.set(name, isDir ? "folder" : "file");
      for (let p = posix.dirname(name); p !== "." && kinds.get(p) !== "folder"; p = posix.dirname(p))
        kinds.set(p, "folder");
      const target = sep2 === "/" ? `${dir}/${name}` : join(dir, ...name.split("/"));
      if (isDir) {
        folder(target);
        dirs.push(name);
        return;
      }
      if (entry.isEncrypted()) refuse(name, "is encrypted, which is not supported");
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
        refuse(
          name,
          `uses compression method ${entry.compressionMethod}; only stored and deflated are supported`
        );
      if ((modeOf(entry) & S_IFMT) === S_IFLNK) {
        if (entry.uncompressedSize > MAX_LINK_TARGET)
          refuse(name, "is a symlink with an oversized target");
        const { header: header2, data } = await readLocal(archive, entry, true);
        const misplaced = layout.check(entry, header2);
        if (misplaced) refuse(name, misplaced);
        const text2 = await checkedContent(declared(entry), data ?? Buffer.alloc(0));
        const link2 = text2.toString("utf8");
        const why = linkEscapes(name, link2, links);
        if (why) refuse(name, `is a symlink ${why} (${JSON.stringify(link2)})`);
        folder(dirname2(target));
        if (writer) await writer.link(name, target, text2);
        else await symlink(link2, target);
        links.add(name);
        files.push(name);
        return;
      }
      bytes2 += entry.uncompressedSize;
      if (bytes2 > limits.maxBytes)
        refuse(
          name,
          `takes the archive past max-size (${limits.maxBytes} bytes)`,
          `raise ${setting("max-size")} if the archive is trusted`
        );
      if (entry.uncompressedSize >= RATIO_FLOOR && entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxRatio)
        refuse(
          name,
          `expands ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))}-fold, more than max-ratio (${limits.maxRatio})`,
          `raise ${setting("max-ratio")} if the archive is trusted`
        );
      files.push(name);
      const large = !isSmall(entry);
      const weight = large ? STREAMING_BYTES : entry.compressedSize + entry.uncompressedSize;
      while (inFlight.size >= PARALLEL_ENTRIES || large && largeInFlight >= PARALLEL_LARGE || inFlight.size > 0 && bytesInFlight + weight > PARALLEL_BYTES)
        await new Promise((resolve3) => wakeTake = resolve3);
      if (failure2 !== void 0) return;
      bytesInFlight += weight;
      if (large) largeInFlight++;
      const hold = archive.hold?.(entry.relativeOffsetOfLocalHeader);
      archive.advance?.(entry.relativeOffsetOfLocalHeader + entry.compressedSize);
      const task = write2(entry, name, target, hold).catch((e) => {
        failure2 ??= blame(name, e);
      }).finally(() => {
        bytesInFlight -= weight;
        if (large) largeInFlight--;
        inFlight.delete(task);
        const wake = wakeTake;
        wakeTake = void 0;
        wake?.();
      });
      inFlight.add(task);
    };
    const nextEntry = entries(zip);
    while (failure2 === void 0) {
      signal?.throwIfAborted();
      let next;
      try {
        next = await nextEntry();
      } catch (e) {
        throw new UnsafeArchive(`the artifacts of ${label} are refused: ${e.message}`);
      }
      if (!next) break;
      const name = canonical(next.fileName);
      archive.advance?.(next.relativeOffsetOfLocalHeader);
      try {
        await take(next, name);
      } catch (e) {
        throw blame(name, e);
      }
    }
    await Promise.all(inFlight);
    await writer?.close();
    if (failure2 !== void 0) throw failure2;
    signal?.throwIfAborted();
    return { dir, files, dirs, bytes: bytes2 };
  } catch (e) {
    await Promise.allSettled(inFlight);
    await writer?.close();
    await rm(dir, { recursive: true, force: true });
    unregisterTemporary(dir);
    throw e;
  } finally {
    zip?.close();
  }
}
async function openStaging(dest) {
  await mkdir(dest, { recursive: true });
  const dir = await stagingFolder(dest);
  registerTemporary(dir);
  return dir;
}
async function stagingFolder(dest) {
  const name = `.pipeline-artifacts-staging-${randomBytes(6).toString("hex")}`;
  const beside = join(dirname2(dest), name);
  try {
    await mkdir(beside);
    return beside;
  } catch {
    const inside = join(dest, name);
    await mkdir(inside);
    return inside;
  }
}
function canonical(name) {
  const n = posix.normalize(name.replace(/\/+$/, ""));
  return n === "." ? "" : n.replace(/^(\.\/)+/, "");
}
function linkEscapes(name, target, links) {
  if (target === "" || target.includes("\0")) return "with an empty or invalid target";
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target) || target.startsWith("\\"))
    return "pointing outside the destination: its target is an absolute path";
  const at = posix.dirname(name) === "." ? [] : posix.dirname(name).split("/");
  const segments = target.split("/").filter((s) => s !== "" && s !== ".");
  for (const [i, segment] of segments.entries()) {
    if (segment === "..") {
      if (at.length === 0) return "pointing outside the destination";
      at.pop();
    } else {
      at.push(segment);
      if (i < segments.length - 1 && links.has(at.join("/")))
        return `pointing through another symlink, ${JSON.stringify(at.join("/"))}, which could lead outside the destination`;
    }
  }
  return void 0;
}
async function commit(staged, dest) {
  try {
    if (dirname2(staged.dir) === dirname2(dest) && await swapIn(staged.dir, dest)) return;
    const missing = await preflight(staged, dest);
    const folder = folderMaker();
    for (const name of staged.dirs) folder(join(dest, ...name.split("/")));
    await mapLimit(staged.files, MOVES_IN_FLIGHT, async (name) => {
      const to = join(dest, ...name.split("/"));
      const parent = posix.dirname(name);
      if (parent !== "." && missing.has(parent)) folder(dirname2(to));
      await rename(join(staged.dir, ...name.split("/")), to);
    });
  } finally {
    await discard(staged);
  }
}
var MOVES_IN_FLIGHT = 16;
async function swapIn(dir, dest) {
  if ((await readdir(dest).catch(() => ["?"])).length > 0) return false;
  try {
    await rmdir(dest);
  } catch {
    return false;
  }
  try {
    await rename(dir, dest);
    return true;
  } catch (e) {
    await mkdir(dest, { recursive: true });
    throw e;
  }
}
async function preflight(staged, dest) {
  const root = await realpath(dest);
  const folders = new Set(staged.dirs);
  for (const name of staged.files)
    for (let p = posix.dirname(name); p !== "."; p = posix.dirname(p)) folders.add(p);
  const missing = /* @__PURE__ */ new Set();
  for (const name of folders) {
    const path = join(dest, ...name.split("/"));
    const found = await lstat(path).catch(() => void 0);
    if (!found) {
      missing.add(name);
      continue;
    }
    if (!found.isDirectory() && !found.isSymbolicLink())
      throw new RunError(
        `cannot create the folder ${name} in ${dest}: a file of that name is there`
      );
    const real = await realpath(path).catch(() => "");
    if (real !== root && !real.startsWith(root + sep2))
      throw new UnsafeArchive(
        `${name}: the destination's folder ${relative2(root, path)} leads outside it through a symlink`
      );
  }
  await mapLimit(staged.files, MOVES_IN_FLIGHT, async (name) => {
    const parent = posix.dirname(name);
    if (parent !== "." && missing.has(parent)) return;
    const existing = await lstat(join(dest, ...name.split("/"))).catch(() => void 0);
    if (existing?.isDirectory())
      throw new RunError(
        `cannot put the file ${name} where a folder of that name exists in ${dest}`
      );
  });
  return missing;
}
async function discard(staged) {
  await rm(staged.dir, { recursive: true, force: true });
  unregisterTemporary(staged.dir);
}
async function removeIfEmpty(dir) {
  if ((await readdir(dir).catch(() => ["?"])).length === 0) await rmdir(dir).catch(() => {
  });
}

// src/report.ts
import { posix as posix2, relative as relative3, sep as sep3 } from "node:path";
var isDownloaded = (j) => j.action === "downloaded";
function filesUnder(job, downloadPath) {
  const prefix = relative3(downloadPath, job.path).split(sep3).join("/");
  return job.files.map((f) => prefix === "" ? f : posix2.join(prefix, f));
}

// src/log.ts
var UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];
function formatBytes(n) {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

// src/transfer/cache.ts
import { createHash, randomBytes as randomBytes2 } from "node:crypto";
import { constants as constants2 } from "node:fs";
import {
  copyFile,
  link,
  lstat as lstat2,
  mkdir as mkdir2,
  readdir as readdir2,
  readFile,
  readlink,
  rename as rename2,
  rm as rm2,
  stat,
  symlink as symlink2,
  utimes,
  writeFile as writeFile2
} from "node:fs/promises";
import { dirname as dirname3, join as join2, posix as posix3 } from "node:path";
var TOOL_PREFIX = "pipeline-artifacts-";
var ARCH = "artifacts";
var WORK = "pipeline-artifacts.work";
var FILES = "files";
var RECORD = "entry.json";
var USED = "used";
var STALE_MS = 24 * 3600 * 1e3;
var IN_FLIGHT = 16;
function toolName(key) {
  const escaped = Buffer.from(`${key.host}/${key.project}`).toString("latin1").replace(/[^A-Za-z0-9.-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  const name = escaped.length <= 200 ? escaped : `${escaped.slice(0, 180)}_${createHash("sha256").update(escaped).digest("hex").slice(0, 16)}`;
  return TOOL_PREFIX + name;
}
var versionOf = (jobId) => `${jobId}.0.0`;
function entryOf(root, key) {
  const dir = join2(root, toolName(key), versionOf(key.jobId), ARCH);
  return { dir, marker: `${dir}.complete` };
}
var seal = (record) => createHash("sha256").update(JSON.stringify(record)).digest("hex");
var code = (e) => e.code;
var message = (e) => e.message;
var pathIn = (dir, path) => join2(dir, ...path.split("/"));
async function readEntry(at, key) {
  if (!await lstat2(at.dir).catch(() => void 0)) return { kind: "absent" };
  if (!await lstat2(at.marker).catch(() => void 0))
    return { kind: "bad", why: "without its completion marker" };
  let record;
  try {
    const text2 = JSON.parse(await readFile(join2(at.dir, RECORD), "utf8"));
    if (text2.record.format !== 1 || seal(text2.record) !== text2.sha256) throw new Error("altered");
    record = text2.record;
  } catch (e) {
    return { kind: "bad", why: `without a readable ${RECORD} (${message(e)})` };
  }
  const { host, project: project2, jobId } = record.key;
  if (host !== key.host || project2 !== key.project || jobId !== key.jobId)
    return { kind: "bad", why: `another job's (${host} ${project2} job ${jobId})` };
  const why = await checkTree(join2(at.dir, FILES), record);
  return why === void 0 ? { kind: "whole", record } : { kind: "bad", why };
}
async function checkTree(dir, record) {
  const wrong = [];
  await mapLimit(record.files, IN_FLIGHT, async (f) => {
    const path = pathIn(dir, f.path);
    const found = await lstat2(path).catch(() => void 0);
    if (!found) wrong.push(`${f.path} is missing`);
    else if ("link" in f) {
      if (!found.isSymbolicLink() || await readlink(path) !== f.link)
        wrong.push(`${f.path} is not the recorded symlink`);
    } else if (!found.isFile()) wrong.push(`${f.path} is not a file`);
    else if (found.size !== f.size)
      wrong.push(`${f.path} has ${found.size} bytes, recorded ${f.size}`);
    else if (found.mtimeMs !== f.mtimeMs || (found.mode & 4095) !== f.mode)
      wrong.push(`${f.path} was changed after it was cached`);
  });
  for (const d of record.dirs)
    if (!(await stat(pathIn(dir, d)).catch(() => void 0))?.isDirectory())
      wrong.push(`folder ${d} is missing`);
  return wrong.length === 0 ? void 0 : `altered: ${wrong.slice(0, 3).join("; ")}`;
}
async function cloneTree(from, to, files, dirs) {
  const folders = new Set(dirs);
  for (const f of files)
    for (let p = posix3.dirname(f.path); p !== "."; p = posix3.dirname(p)) folders.add(p);
  for (const d of [...folders].sort()) await mkdir2(pathIn(to, d), { recursive: true });
  let links = true;
  await mapLimit(files, IN_FLIGHT, async (f) => {
    const target = pathIn(to, f.path);
    if ("link" in f) return symlink2(f.link, target);
    const source = pathIn(from, f.path);
    if (links)
      try {
        return await link(source, target);
      } catch (e) {
        if (code(e) === "ENOENT" || code(e) === "EEXIST") throw e;
        links = false;
      }
    await copyFile(source, target, constants2.COPYFILE_EXCL);
  });
}
async function lookUp(cache2, key, dest, limits, log, label) {
  const at = entryOf(cache2.root, key);
  let found;
  try {
    found = await readEntry(at, key);
  } catch (e) {
    log.warn(`${label}: the cache could not be read (${message(e)}); downloading`);
    return void 0;
  }
  if (found.kind === "absent") {
    log.debug(`${label}: not in the cache (${at.dir})`);
    return void 0;
  }
  if (found.kind === "bad") {
    log.info(`${label}: the cache's entry is ${found.why}; downloading it again`);
    return void 0;
  }
  const { record } = found;
  if (record.bytes > limits.maxBytes || record.files.length > limits.maxEntries) {
    log.debug(`${label}: the cached tree is over this run's max-size or max-files; downloading`);
    return void 0;
  }
  const staged = {
    dir: await openStaging(dest),
    files: record.files.map((f) => f.path),
    dirs: record.dirs,
    bytes: record.bytes
  };
  try {
    await cloneTree(join2(at.dir, FILES), staged.dir, record.files, record.dirs);
  } catch (e) {
    await discard(staged);
    log.info(`${label}: the cache's entry could not be used (${message(e)}); downloading`);
    return void 0;
  }
  const now = /* @__PURE__ */ new Date();
  await utimes(join2(at.dir, USED), now, now).catch(
    () => writeFile2(join2(at.dir, USED), String(record.bytes))
  );
  log.info(
    `${label}: ${record.files.length} file(s), ${formatBytes(record.bytes)} from the cache (archive ${formatBytes(record.archive.bytes)}, sha256 ${record.archive.sha256}), nothing downloaded`
  );
  return { staged, bytes: record.archive.bytes, sha256: record.archive.sha256 };
}
async function store(cache2, key, staged, archive, log, label) {
  if (staged.bytes > cache2.maxBytes) {
    log.info(
      `${label}: not cached, ${formatBytes(staged.bytes)} is more than cache-max-size (${formatBytes(cache2.maxBytes)})`
    );
    return;
  }
  const at = entryOf(cache2.root, key);
  try {
    await put(cache2.root, at, key, staged, archive);
  } catch (e) {
    log.warn(`${label}: not cached (${message(e)}); the download itself is complete`);
    return;
  }
  await evict(cache2, at.dir, log).catch(
    (e) => log.warn(`cache: old entries could not be removed (${message(e)})`)
  );
}
async function put(root, at, key, staged, archive) {
  const work = await workFolder(root, "new");
  try {
    const files = await mapLimit(staged.files, IN_FLIGHT, async (path) => {
      const source = pathIn(staged.dir, path);
      return (await lstat2(source)).isSymbolicLink() ? { path, link: await readlink(source) } : { path };
    });
    const tree = join2(work, FILES);
    await mkdir2(tree);
    await cloneTree(staged.dir, tree, files, staged.dirs);
    const recorded = await mapLimit(files, IN_FLIGHT, async (f) => {
      if ("link" in f) return f;
      const found = await lstat2(pathIn(tree, f.path));
      return { path: f.path, size: found.size, mtimeMs: found.mtimeMs, mode: found.mode & 4095 };
    });
    const record = {
      format: 1,
      key,
      archive,
      bytes: staged.bytes,
      files: recorded,
      dirs: staged.dirs,
      created: (/* @__PURE__ */ new Date()).toISOString()
    };
    await writeFile2(join2(work, RECORD), JSON.stringify({ record, sha256: seal(record) }));
    await writeFile2(join2(work, USED), String(staged.bytes));
    await mkdir2(dirname3(at.dir), { recursive: true });
    if (!await moveIn(work, at.dir)) {
      if ((await readEntry(at, key)).kind === "whole") return;
      await remove(root, at);
      if (!await moveIn(work, at.dir)) return;
    }
    await writeFile2(at.marker, "");
  } finally {
    await rm2(work, { recursive: true, force: true });
    unregisterTemporary(work);
  }
}
async function moveIn(work, dir) {
  try {
    await rename2(work, dir);
    return true;
  } catch (e) {
    if (code(e) === "ENOTEMPTY" || code(e) === "EEXIST") return false;
    throw e;
  }
}
async function workFolder(root, what) {
  const dir = join2(root, WORK, `${what}-${randomBytes2(6).toString("hex")}`);
  await mkdir2(dir, { recursive: true });
  registerTemporary(dir);
  return dir;
}
async function remove(root, at) {
  await rm2(at.marker, { force: true });
  const aside = await workFolder(root, "old");
  try {
    await rename2(at.dir, join2(aside, ARCH));
  } catch (e) {
    if (code(e) !== "ENOENT") throw e;
  } finally {
    await rm2(aside, { recursive: true, force: true });
    unregisterTemporary(aside);
  }
}
async function entries2(root) {
  const tools = (await readdir2(root)).filter((n) => n.startsWith(TOOL_PREFIX));
  const found = await Promise.all(
    tools.map(async (tool) => {
      const versions = (await readdir2(join2(root, tool)).catch(() => [])).filter(
        (v) => /^\d+\.0\.0$/.test(v)
      );
      return Promise.all(
        versions.map(async (version) => {
          const dir = join2(root, tool, version, ARCH);
          const used = await stat(join2(dir, USED)).catch(() => void 0);
          const bytes2 = Number(await readFile(join2(dir, USED), "utf8").catch(() => "0"));
          return {
            dir,
            marker: `${dir}.complete`,
            bytes: Number.isSafeInteger(bytes2) ? bytes2 : 0,
            used: used?.mtimeMs ?? 0
          };
        })
      );
    })
  );
  return found.flat();
}
async function evict(cache2, keep2, log) {
  const all = (await entries2(cache2.root)).sort((a, b) => a.used - b.used);
  let total = all.reduce((n, e) => n + e.bytes, 0);
  for (const e of all) {
    if (total <= cache2.maxBytes) break;
    if (e.dir === keep2) continue;
    await remove(cache2.root, e);
    total -= e.bytes;
    log.info(`cache: removed ${e.dir} (${formatBytes(e.bytes)}, least recently used)`);
  }
  const work = join2(cache2.root, WORK);
  for (const name of await readdir2(work).catch(() => [])) {
    const made = await stat(join2(work, name)).catch(() => void 0);
    if (made && Date.now() - made.mtimeMs > STALE_MS)
      await rm2(join2(work, name), { recursive: true, force: true });
  }
}

// src/transfer/download.ts
import { createHash as createHash2, randomBytes as randomBytes3 } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rm as rm3, truncate } from "node:fs/promises";
import { join as join3 } from "node:path";
var WRITE_BUFFER = 256 * 1024;
async function removeDownload(file) {
  await rm3(file, { force: true });
  unregisterTemporary(file);
}
var temporaryIn = (dir) => join3(dir, `.pipeline-artifacts-${randomBytes3(6).toString("hex")}.zip.part`);
function validator(headers) {
  const etag = headers.etag;
  if (typeof etag === "string" && etag.startsWith('"')) return etag;
  return typeof headers["last-modified"] === "string" ? headers["last-modified"] : void 0;
}
function contentRange(headers) {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(headers["content-range"] ?? ""));
  return m ? { start: Number(m[1]), total: m[2] === "*" ? void 0 : Number(m[2]) } : void 0;
}
async function download(options2) {
  const { client, url: url2, what, sink, signal } = options2;
  const file = sink ? "" : temporaryIn(options2.dir);
  let hash = createHash2("sha256");
  let received = 0;
  let total;
  let ifRange;
  let resumes = 0;
  let restarted = false;
  const maxResumes = options2.maxResumes ?? 8;
  if (file) registerTemporary(file);
  try {
    for (; ; ) {
      signal?.throwIfAborted();
      const resuming = received > 0 && ifRange !== void 0;
      const headers = resuming ? { Range: `bytes=${received}-`, "If-Range": ifRange } : {};
      let res;
      try {
        res = await client.request(
          "GET",
          url2,
          { what: `downloading ${what}`, route: "download" },
          headers,
          (s) => resuming ? s === 200 || s === 206 : s === 200
        );
      } catch (e) {
        const refused = e instanceof GitLabError && (e.status === 403 || e.status === 404);
        if (!resuming || !refused || restarted) throw e;
        restarted = true;
        if (file) await truncate(file, 0);
        hash = createHash2("sha256");
        received = 0;
        ifRange = void 0;
        continue;
      }
      if (res.status === 206) {
        const range = contentRange(res.headers);
        if (!range || range.start !== received) {
          res.body.resume();
          throw new RunError(
            `the server resumed ${what} at the wrong offset (${res.headers["content-range"]}, wanted ${received})`
          );
        }
        total = range.total ?? total;
      } else {
        if (received > 0) {
          if (file) await truncate(file, 0);
          hash = createHash2("sha256");
          received = 0;
        }
        const length = Number(res.headers["content-length"]);
        total = Number.isFinite(length) && res.headers["content-length"] !== void 0 ? length : void 0;
      }
      ifRange = validator(res.headers) ?? ifRange;
      sink?.began(received, validator(res.headers), total);
      const stop2 = () => res.body.destroy(signal?.reason);
      signal?.addEventListener("abort", stop2, { once: true });
      const canResume = ifRange !== void 0 && res.headers["accept-ranges"] !== "none";
      const out = sink ? void 0 : createWriteStream(file, {
        flags: received > 0 ? "a" : "w",
        highWaterMark: WRITE_BUFFER
      });
      out?.on("error", (e) => res.body.destroy(e));
      let broken;
      try {
        for await (const chunk of res.body) {
          hash.update(chunk);
          received += chunk.length;
          options2.progress?.(received, total);
          if (!out) {
            const room = sink?.push(chunk);
            if (room) await room;
          } else if (!out.write(chunk)) await once(out, "drain");
          released(chunk.length);
        }
      } catch (e) {
        broken = e;
      } finally {
        signal?.removeEventListener("abort", stop2);
        if (out) await closeFile(out, file);
      }
      signal?.throwIfAborted();
      if (broken) {
        if (!networkError(broken) && !isAborted(broken)) throw broken;
        if (!canResume || resumes >= maxResumes)
          throw new RunError(
            `the connection dropped while downloading ${what} (${broken.message}) after ${received} bytes`,
            canResume ? "try again" : "the server sent no validator (ETag or Last-Modified), so the download could not resume"
          );
        resumes++;
        continue;
      }
      if (total !== void 0 && received < total) {
        if (!canResume || resumes >= maxResumes)
          throw new RunError(`${what} ended after ${received} of ${total} bytes`);
        resumes++;
        continue;
      }
      if (total !== void 0 && received !== total)
        throw new RunError(
          `${what}: received ${received} bytes, but the server announced ${total}`
        );
      const sha256 = hash.digest("hex");
      const announced = /^"([0-9a-f]{64})"$/.exec(ifRange ?? "")?.[1];
      if (announced && announced !== sha256)
        throw new RunError(
          `${what} arrived corrupted: its SHA-256 is ${sha256}, GitLab's ETag says ${announced}`,
          "try again"
        );
      return { file, bytes: received, sha256, resumes };
    }
  } catch (e) {
    await rm3(file, { force: true });
    unregisterTemporary(file);
    throw e;
  }
}
async function closeFile(out, file) {
  try {
    await new Promise((resolve3, reject) => {
      if (out.destroyed) return out.errored ? reject(out.errored) : resolve3();
      out.end((err) => err ? reject(err) : resolve3());
    });
  } catch (e) {
    throw new RunError(`could not write ${file}: ${e.message}`);
  }
}
function isAborted(e) {
  const err = e;
  return err?.code === "ERR_STREAM_PREMATURE_CLOSE" || err?.code === "ECONNRESET" || /aborted/i.test(err?.message ?? "");
}

// src/transfer/overlap.ts
import { closeSync, ftruncateSync, openSync } from "node:fs";
import { Readable as Readable3 } from "node:stream";

// src/transfer/ranged.ts
import { buffer } from "node:stream/consumers";
import { PassThrough, Readable as Readable2 } from "node:stream";
var TAIL = END_BYTES;
var BLOCK2 = 32 * 1024;
var KEPT_BLOCKS = 8;
var RangesIgnored = class extends Error {
  name = "RangesIgnored";
};
var RangedSource = class _RangedSource {
  constructor(client, url2, what, size, validator2) {
    this.client = client;
    this.url = url2;
    this.what = what;
    this.size = size;
    this.validator = validator2;
  }
  client;
  url;
  what;
  size;
  validator;
  /** Body bytes received, for reporting. */
  received = 0;
  #blocks = [];
  /**
   * Fetches the tail; learns the size and the validator. Throws RangesIgnored on a 200 (also the
   * answer when `ifRange`, a validator of the archive, no longer matches it).
   */
  static async open(client, url2, what, ifRange) {
    const res = await client.request(
      "GET",
      url2,
      { what: `reading the end of ${what}`, route: "download" },
      { Range: `bytes=-${TAIL}`, ...ifRange === void 0 ? {} : { "If-Range": ifRange } },
      (s) => s === 206 || s === 200
    );
    if (res.status === 200) {
      res.body.destroy();
      throw new RangesIgnored(
        `the server answered a Range request for ${what} with the whole archive`
      );
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(res.headers["content-range"] ?? ""));
    if (!range)
      throw new RunError(
        `${what}: no usable Content-Range in the answer (${res.headers["content-range"]})`
      );
    const source = new _RangedSource(client, url2, what, Number(range[3]), validator(res.headers));
    const tail = await buffer(res.body);
    source.received += tail.length;
    source.#keep({ start: Number(range[1]), data: tail });
    return source;
  }
  async close() {
    this.#blocks = [];
  }
  #keep(block) {
    this.#blocks.unshift(block);
    if (this.#blocks.length > KEPT_BLOCKS) this.#blocks.pop();
  }
  #cached(start, end) {
    const block = this.#blocks.find((b) => b.start <= start && end <= b.start + b.data.length);
    return block?.data.subarray(start - block.start, end - block.start);
  }
  /** Bytes [start, end) as one ranged GET, If-Range guarded. */
  async fetch(start, end) {
    const headers = { Range: `bytes=${start}-${end - 1}` };
    if (this.validator) headers["If-Range"] = this.validator;
    const res = await this.client.request(
      "GET",
      this.url,
      { what: `reading bytes ${start}-${end - 1} of ${this.what}`, route: "download" },
      headers,
      (s) => s === 206 || s === 200
    );
    if (res.status === 200) {
      res.body.destroy();
      throw new RunError(
        `${this.what} changed while it was being read (GitLab answered the whole archive to If-Range)`,
        "try again"
      );
    }
    const got = /^bytes (\d+)-(\d+)\//.exec(String(res.headers["content-range"] ?? ""));
    if (!got || Number(got[1]) !== start || Number(got[2]) !== end - 1) {
      await readText(res.body);
      throw new RunError(
        `${this.what}: asked for bytes ${start}-${end - 1}, got ${res.headers["content-range"]}`
      );
    }
    const counter = new PassThrough();
    counter.on("data", (chunk) => {
      this.received += chunk.length;
    });
    res.body.on("error", (e) => counter.destroy(e));
    return res.body.pipe(counter);
  }
  /** Small reads (headers, the central directory) come from blocks. */
  async read(position, length) {
    const hit = this.#cached(position, position + length);
    if (hit) return hit;
    const end = Math.min(this.size, position + Math.max(length, BLOCK2));
    const block = { start: position, data: await buffer(await this.fetch(position, end)) };
    this.#keep(block);
    return block.data.subarray(0, length);
  }
  /** A range as a stream: what blocks hold is served from them, the rest fetched in one request. */
  stream(start, end) {
    const whole = this.#cached(start, end);
    if (whole) return Readable2.from([whole]);
    const out = new PassThrough();
    const block = this.#blocks.find((b) => b.start <= start && start < b.start + b.data.length);
    const head = block ? block.data.subarray(start - block.start) : Buffer.alloc(0);
    if (head.length > 0) out.write(head);
    this.fetch(start + head.length, end).then(
      (rest) => {
        rest.on("error", (e) => out.destroy(e));
        rest.pipe(out);
      },
      (e) => out.destroy(e)
    );
    return out;
  }
};

// src/transfer/overlap.ts
var MAX_CENTRAL = 16 * 1024 * 1024;
var MAX_CENTRAL_SHARE = 1 / 4;
var FOLLOW_FROM = 8 * 1024 * 1024;
var WINDOW = 2 * 1024 * 1024;
var PIECE = 256 * 1024;
var SLICE2 = 256 * 1024;
async function downloadAndStage(options2) {
  const { client, url: url2, what, stage: stage2 } = options2;
  const body = new Body(options2.dir);
  const stop2 = new AbortController();
  const downloading = download({ ...options2, sink: body, signal: stop2.signal });
  downloading.then(
    () => body.finish(),
    (e) => body.fail(e instanceof Error ? e : new Error(String(e)))
  );
  let staged;
  try {
    const first = await body.first;
    if (first?.mode === "follow") {
      const central = await readCentral(client, url2, what, first.validator ?? "");
      if (central && body.follow(central)) {
        try {
          staged = await stage2(body);
          body.stopReading();
          if (body.firstAt !== void 0)
            options2.debug?.(
              `extracted as it arrived: the first entry was read when ${formatBytes(body.firstAt)} of ${formatBytes(body.size)} had arrived`
            );
        } catch (e) {
          if (body.failure) await downloading;
          if (!body.again) {
            body.stopReading();
            stop2.abort(e);
            await downloading.catch(() => void 0);
            throw e;
          }
          staged = void 0;
        }
      } else {
        options2.debug?.(
          "downloaded first, then extracted: its central directory could not be read ahead"
        );
        body.spill();
      }
    } else if (first?.mode === "file")
      options2.debug?.("downloaded first, then extracted: an archive without a size or validator");
    const got = await downloading;
    if (staged && body.again) {
      await discard(staged);
      staged = void 0;
    }
    if (body.again)
      options2.debug?.(
        `extracted again from ${body.file && !body.lost ? "the finished download" : "a second download"}: ${body.again}`
      );
    staged ??= await stageWhole(body, options2);
    return { got: { bytes: got.bytes, sha256: got.sha256, resumes: got.resumes }, staged };
  } catch (e) {
    if (staged) await discard(staged);
    throw e;
  } finally {
    await body.close();
  }
}
async function stageWhole(body, options2) {
  if (body.mode === "whole" && !body.again) return options2.stage(body);
  if (body.file && !body.lost) return withFile(body.file, options2.stage);
  const got = await download(options2);
  try {
    return await withFile(got.file, options2.stage);
  } finally {
    await removeDownload(got.file);
  }
}
async function readCentral(client, url2, what, validator2) {
  let remote;
  try {
    remote = await RangedSource.open(client, url2, what, validator2);
  } catch {
    return void 0;
  }
  try {
    const { size } = remote;
    const end = await readEnd(remote, Math.min(MAX_CENTRAL, size * MAX_CENTRAL_SHARE));
    return end.central ? { ...end, size } : void 0;
  } catch {
    return void 0;
  } finally {
    await remote.close();
  }
}
var Body = class {
  constructor(dir) {
    this.dir = dir;
    this.first = new Promise((resolve3) => this.#answered = resolve3);
  }
  dir;
  size = 0;
  mode = "whole";
  /** How many bytes had arrived when the first entry was read. */
  firstAt;
  /** Why what was staged while following cannot stand: the archive is to be extracted again. */
  again;
  /** The window let go of bytes a read needed: only a second download has them. */
  lost = false;
  failure;
  /** The temporary file the body is written to, in `file` mode. */
  file;
  first;
  #answered;
  #validator;
  #central;
  #fd;
  /** The bytes held, in memory modes. */
  #ring = new Ring(0);
  /** Reads need nothing below this, except what holds keep (the extraction's progress). */
  #horizon = 0;
  #holds = /* @__PURE__ */ new Set();
  /** The download, waiting until no more than `used` bytes are held. */
  #room;
  #done = false;
  #waiting = [];
  began(offset, validator2, total) {
    const answered = this.#answered;
    if (answered) {
      this.#answered = void 0;
      this.#validator = validator2;
      this.size = total ?? 0;
      this.mode = total === void 0 ? "file" : total < FOLLOW_FROM ? "whole" : validator2 === void 0 ? "file" : "follow";
      if (this.mode === "file") this.spill();
      else this.#ring = new Ring(this.mode === "whole" ? total ?? 0 : WINDOW + PIECE);
      answered({ mode: this.mode, validator: validator2 });
      return;
    }
    if (offset > 0 && (validator2 === void 0 || validator2 === this.#validator)) return;
    this.#validator = validator2;
    this.size = total ?? this.size;
    this.#ring.reset(0);
    if (this.mode === "follow" || this.mode === "drain") {
      this.#stale("the archive changed while it was being extracted");
      this.spill();
    } else if (this.#fd !== void 0) ftruncateSync(this.#fd, 0);
    else if (total !== void 0 && total < FOLLOW_FROM) this.#ring = new Ring(total);
    else this.spill();
  }
  /** Extraction follows the body, with this central directory; false if the body is gone past it. */
  follow(central) {
    if (this.mode !== "follow" || central.size !== this.size || this.#ring.base > 0) return false;
    this.#central = central;
    this.#checkEnd(0, this.#ring.copy(0, this.#ring.end));
    return true;
  }
  /** Writes the body to a temporary file from now on, with what is held so far. */
  spill() {
    if (this.file) return;
    this.mode = "file";
    this.file = temporaryIn(this.dir);
    registerTemporary(this.file);
    this.#fd = openSync(this.file, "w");
    const ring = this.#ring;
    this.#write(ring.copy(ring.base, ring.end - ring.base), ring.base);
    this.#ring = new Ring(0, ring.end);
    this.#wakeRoom();
  }
  /**
   * Takes a chunk of the body; resolves once there is room for the next, or returns nothing when
   * there is room now. That is the common case while following, taken without a promise: a
   * socket's chunks are 64 KiB, ten thousand of them on the mixed corpus (bench/corpora.ts), and
   * an await each was 0.1-0.3 s of the main thread (alternating runs on a RAM disk).
   */
  push(chunk) {
    if (this.mode === "follow" && chunk.length <= PIECE && this.#ring.used + chunk.length <= WINDOW) {
      this.#take(chunk);
      this.#letGo();
      return void 0;
    }
    return this.#pushSlowly(chunk);
  }
  /** Keeps a piece of the body as its mode says (window, file, or nothing), and wakes reads. */
  #take(piece) {
    const start = this.#ring.end;
    if (this.#fd !== void 0) this.#write(piece, start);
    if (this.#fd !== void 0 || this.mode === "drain") this.#ring.reset(start + piece.length);
    else this.#ring.append(piece);
    this.#checkEnd(start, piece);
    this.#wake();
  }
  /** push(), when the body may have to wait for room, or is not held in the window. */
  async #pushSlowly(chunk) {
    for (let at = 0; at < chunk.length; at += PIECE) {
      const piece = chunk.subarray(at, at + PIECE);
      while (this.mode === "follow" && this.#ring.used + piece.length > this.#ring.capacity)
        await this.#roomFor(this.#ring.capacity - piece.length);
      this.#take(piece);
    }
    this.#letGo();
    while (this.mode === "follow" && this.#ring.used > WINDOW) await this.#roomFor(WINDOW);
  }
  /** Wakes the download waiting for room (the window let go of bytes, or keeps none now). */
  #wakeRoom() {
    const room = this.#room;
    this.#room = void 0;
    room?.wake();
  }
  /** Resolves once no more than `used` bytes are held. */
  #roomFor(used) {
    return new Promise((wake) => this.#room = { used, wake });
  }
  /** Writes a chunk that starts at `position` of the body to the file. */
  #write(chunk, position) {
    writeAll(this.#fd, chunk, position);
  }
  /** The body's bytes over the central directory read ahead must be those bytes. */
  #checkEnd(at, chunk) {
    const central = this.#central;
    if (!central || this.again) return;
    const end = at + chunk.length;
    if (end <= central.start) return;
    const from = Math.max(at, central.start);
    const body = chunk.subarray(from - at);
    const ahead = central.data.subarray(from - central.start, end - central.start);
    if (!body.equals(ahead))
      this.#stale("the archive's end differs from the central directory read ahead");
  }
  /**
   * What was staged while following cannot stand. The body is then only drained (hashed by the
   * download, and kept by nothing), unless it goes to a file from here on (spill).
   */
  #stale(why) {
    this.again ??= why;
    this.#fail(new Error(why));
    this.stopReading();
  }
  /**
   * Nothing reads the followed body any more (the extraction ended, or failed): from here it is
   * only drained, still checked against the central directory read ahead, and a download waiting
   * for room goes on.
   */
  stopReading() {
    if (this.mode !== "follow") return;
    this.mode = "drain";
    this.#ring = new Ring(0, this.#ring.end);
    this.#wakeRoom();
  }
  #wake() {
    const landed = this.#ring.end;
    this.#waiting = this.#waiting.filter((w) => {
      if (w.until > landed) return true;
      w.wake();
      return false;
    });
  }
  finish() {
    this.#done = true;
    this.#answered?.(void 0);
    this.#fail(new Error("unexpected end of the archive"));
  }
  fail(e) {
    this.failure ??= e;
    this.#answered?.(void 0);
    this.#fail(e);
  }
  #fail(e) {
    for (const w of this.#waiting) w.fail(e);
    this.#waiting = [];
  }
  /** Resolves once the body has passed `end`. */
  #until(end) {
    if (this.again) return Promise.reject(new Error(this.again));
    if (this.failure) return Promise.reject(this.failure);
    if (this.#ring.end >= end) return Promise.resolve();
    if (this.#done) return Promise.reject(new Error("unexpected end of the archive"));
    return new Promise((wake, fail) => this.#waiting.push({ until: end, wake, fail }));
  }
  // The archive, as archive/extract.ts reads it.
  async read(position, length) {
    const held = this.#central && fromEnd(this.#central, position, length);
    if (held) return held;
    const hold = this.hold(position);
    try {
      await this.#until(position + length);
      this.firstAt ??= this.#ring.end;
      return this.#ring.copy(position, length);
    } finally {
      hold.release();
    }
  }
  stream(start, end) {
    const hold = this.hold(start);
    let at = start;
    const out = new Readable3({
      read: () => {
        if (at >= end) {
          hold.release();
          out.push(null);
          return;
        }
        const length = Math.min(SLICE2, end - at);
        this.read(at, length).then(
          (bytes2) => {
            at += length;
            hold.move(at);
            out.push(bytes2);
          },
          (e) => out.destroy(e)
        );
      },
      destroy: (e, done) => {
        hold.release();
        done(e);
      }
    });
    return out;
  }
  async pieces(start, end, take) {
    const hold = this.hold(start);
    try {
      for (let at = start; at < end; ) {
        const length = Math.min(SLICE2, end - at);
        await this.#until(at + length);
        this.firstAt ??= this.#ring.end;
        for (const view of this.#ring.views(at, length)) await take(view);
        at += length;
        hold.move(at);
      }
    } finally {
      hold.release();
    }
  }
  /** Keeps the bytes from `at` on until released. */
  hold(at) {
    if (this.mode === "follow" && at < this.#ring.base) this.#lose(at);
    const hold = {
      at,
      move: (to) => {
        hold.at = to;
        this.#letGo();
      },
      release: () => {
        if (this.#holds.delete(hold)) this.#letGo();
      }
    };
    this.#holds.add(hold);
    return hold;
  }
  /** Reads need nothing below `position` from now on, apart from what holds keep. */
  advance(position) {
    if (position <= this.#horizon) return;
    this.#horizon = position;
    this.#letGo();
  }
  #lose(at) {
    this.lost = true;
    this.#stale("the extraction read the archive out of order");
    throw new Error(`byte ${at} of the archive was read out of order`);
  }
  /** Lets go of the bytes below every hold and the horizon, and makes room for the body. */
  #letGo() {
    if (this.mode !== "follow") return;
    let floor = this.#horizon;
    for (const h of this.#holds) floor = Math.min(floor, h.at);
    this.#ring.drop(floor);
    if (this.#room && this.#ring.used <= this.#room.used) this.#wakeRoom();
  }
  async close() {
    this.stopReading();
    this.#ring = new Ring(0, this.#ring.end);
    this.#wakeRoom();
    if (this.#fd !== void 0) closeSync(this.#fd);
    this.#fd = void 0;
    if (this.file) await removeDownload(this.file);
  }
};
var Ring = class {
  constructor(capacity, at = 0) {
    this.capacity = capacity;
    this.#buffer = Buffer.allocUnsafeSlow(capacity);
    this.base = this.end = at;
  }
  capacity;
  base;
  end;
  #buffer;
  get used() {
    return this.end - this.base;
  }
  /** Appends bytes; the caller made room for them. */
  append(bytes2) {
    if (this.used + bytes2.length > this.capacity) throw new Error("no room in the window");
    let done = 0;
    while (done < bytes2.length) {
      const at = (this.end + done) % this.capacity;
      done += bytes2.copy(
        this.#buffer,
        at,
        done,
        done + Math.min(bytes2.length - done, this.capacity - at)
      );
    }
    this.end += bytes2.length;
  }
  /** A copy of the bytes [position, position + length), which lie in [base, end). */
  copy(position, length) {
    if (position < this.base || position + length > this.end)
      throw new Error(`bytes ${position}-${position + length} are not held`);
    const bytes2 = Buffer.allocUnsafe(length);
    released(length);
    let done = 0;
    while (done < length) {
      const at = (position + done) % this.capacity;
      done += this.#buffer.copy(bytes2, done, at, at + Math.min(length - done, this.capacity - at));
    }
    return bytes2;
  }
  /**
   * The bytes [position, position + length), which lie in [base, end), as views of the buffer:
   * one, or two where they wrap around. They change once the bytes are let go and others come.
   */
  views(position, length) {
    if (position < this.base || position + length > this.end)
      throw new Error(`bytes ${position}-${position + length} are not held`);
    const at = position % this.capacity;
    const first = Math.min(length, this.capacity - at);
    const head = this.#buffer.subarray(at, at + first);
    return first === length ? [head] : [head, this.#buffer.subarray(0, length - first)];
  }
  /** Lets go of the bytes below `position`. */
  drop(position) {
    this.base = Math.max(this.base, Math.min(position, this.end));
  }
  /** Holds nothing, and the next byte is `at`. */
  reset(at) {
    this.base = this.end = at;
  }
};

// src/transfer/strategy.ts
function strategyFor(fetch2) {
  switch (fetch2.kind) {
    case "archive":
      return (w, p, ctx) => wholeArchive(w, p, fetch2.extract, ctx);
    case "file":
      return fetch2.path === "tree" ? (w, p, ctx) => somePaths(w, p, [fetch2.path], ctx) : (w, p, ctx) => oneFile(w, p, fetch2.path, ctx);
    case "paths":
      return (w, p, ctx) => somePaths(w, p, fetch2.patterns, ctx);
  }
}
async function drop(fetched) {
  if (fetched.kind === "staged") await discard(fetched.staged);
  if (fetched.kind === "file") await removeDownload(fetched.temp);
}
async function wholeArchive(wanted, place, extract, ctx) {
  const { cache: cache2 } = ctx;
  const key = extract && cache2 ? wanted.cacheKey : void 0;
  if (cache2 && key) {
    const hit = await lookUp(cache2, key, place.dir, ctx.limits, ctx.log, wanted.label);
    if (hit) return { kind: "staged", ...hit, cacheHit: true };
  }
  const what = `the artifacts of ${wanted.label}`;
  const how = {
    client: ctx.client,
    url: wanted.archiveUrl,
    dir: place.dir,
    what,
    progress: progressReporter(wanted.name, ctx)
  };
  const stageOptions = { limits: ctx.limits, label: wanted.label, signal: ctx.signal };
  let result;
  try {
    result = extract ? await downloadAndStage({
      ...how,
      stage: (source) => stage(source, place.dir, stageOptions),
      debug: (how2) => ctx.log.debug(`${wanted.label}: ${how2}`)
    }) : await download(how);
  } catch (e) {
    if (e instanceof GitLabError && e.status === 404 && wanted.absent)
      return { kind: "missing", why: wanted.absent(e.gitlab) };
    throw e;
  }
  const got = "got" in result ? result.got : result;
  ctx.log.info(
    `${wanted.label}: ${formatBytes(got.bytes)} downloaded${got.resumes ? ` (resumed ${got.resumes} time(s))` : ""}, sha256 ${got.sha256}`
  );
  const { bytes: bytes2, sha256 } = got;
  if (!("staged" in result))
    return { kind: "file", temp: result.file, name: place.zipName, bytes: bytes2, sha256 };
  const { staged } = result;
  if (cache2 && key) await store(cache2, key, staged, { bytes: bytes2, sha256 }, ctx.log, wanted.label);
  return { kind: "staged", staged, bytes: bytes2, sha256 };
}
async function oneFile(wanted, place, path, ctx) {
  try {
    const got = await download({
      client: ctx.client,
      url: wanted.fileUrl(path),
      dir: place.dir,
      what: `${path} from the artifacts of ${wanted.label}`,
      progress: progressReporter(wanted.name, ctx)
    });
    ctx.log.info(`${wanted.label}: ${path}, ${formatBytes(got.bytes)} downloaded`);
    return { kind: "file", temp: got.file, name: path, bytes: got.bytes };
  } catch (e) {
    if (!(e instanceof GitLabError) || e.status !== 404) throw e;
    if (e.gitlab === "404 page not found")
      return {
        kind: "missing",
        why: `${wanted.label}: no file ${JSON.stringify(path)} in its artifacts`,
        hint: await nearHint(wanted, path, ctx)
      };
    return { kind: "missing", why: wanted.absent?.(e.gitlab) ?? `${wanted.label}: ${e.gitlab}` };
  }
}
async function somePaths(wanted, place, patterns, ctx) {
  const matcher = pathMatcher(patterns);
  const what = `the artifacts of ${wanted.label}`;
  const stageOptions = { limits: ctx.limits, label: wanted.label, signal: ctx.signal };
  let staged;
  let bytes2;
  let sha256;
  try {
    const remote = await RangedSource.open(ctx.client, wanted.archiveUrl, what);
    try {
      staged = await stage(remote, place.dir, { ...stageOptions, wanted: matcher });
    } finally {
      await remote.close();
    }
    bytes2 = remote.received;
    ctx.log.info(
      `${wanted.label}: ${staged.files.length} file(s) read from a ${formatBytes(remote.size)} archive, ${formatBytes(bytes2)} transferred`
    );
  } catch (e) {
    if (e instanceof GitLabError && e.status === 404 && wanted.absent)
      return { kind: "missing", why: wanted.absent(e.gitlab) };
    if (!(e instanceof RangesIgnored)) throw e;
    if (!ctx.said.has("ranges")) ctx.log.warn(`${e.message}; downloading whole archives instead`);
    ctx.said.add("ranges");
    const got = await download({
      client: ctx.client,
      url: wanted.archiveUrl,
      dir: place.dir,
      what
    });
    try {
      staged = await withFile(
        got.file,
        (source) => stage(source, place.dir, { ...stageOptions, wanted: matcher })
      );
    } finally {
      await removeDownload(got.file);
    }
    ({ bytes: bytes2, sha256 } = got);
  }
  if (staged.files.length > 0) return { kind: "staged", staged, bytes: bytes2, sha256 };
  await discard(staged);
  return {
    kind: "missing",
    why: `${wanted.label}: no file matches ${patterns.join(", ")} in its artifacts`,
    hint: "names in an archive are exact and case-sensitive"
  };
}
async function nearHint(wanted, path, ctx) {
  const advice = "names in an archive are exact and case-sensitive, with forward slashes";
  try {
    const remote = await RangedSource.open(
      ctx.client,
      wanted.archiveUrl,
      `the artifacts of ${wanted.label}`
    );
    try {
      const near = nearest(
        (await listEntries(remote)).map((e) => e.path),
        path
      );
      return near.length > 0 ? `${advice}; close names in it: ${near.join(", ")}` : advice;
    } finally {
      await remote.close();
    }
  } catch {
    return advice;
  }
}
function progressReporter(name, ctx) {
  const started = Date.now();
  let last = started;
  return (received, total) => {
    const now = Date.now();
    if (now - last < ctx.progressEveryMs) return;
    last = now;
    const rate = received / Math.max((now - started) / 1e3, 1e-3);
    const of = total ? ` of ${formatBytes(total)} (${Math.floor(received / total * 100)}%)` : "";
    ctx.log.info(`${name}: ${formatBytes(received)}${of} at ${formatBytes(rate)}/s`);
  };
}
async function remoteListing(wanted, patterns, ctx) {
  let remote;
  try {
    remote = await RangedSource.open(
      ctx.client,
      wanted.archiveUrl,
      `the artifacts of ${wanted.label}`
    );
  } catch (e) {
    if (!(e instanceof RangesIgnored)) throw e;
    if (!ctx.said.has("ranges")) ctx.log.warn(`${e.message}; archives' entries are not listed`);
    ctx.said.add("ranges");
    return void 0;
  }
  try {
    const entries3 = await listEntries(
      remote,
      patterns.length > 0 ? pathMatcher(patterns) : void 0
    );
    return { entries: entries3, transferred: remote.received };
  } finally {
    await remote.close();
  }
}

// src/commands/download.ts
var safeName = (name) => (
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  name.replace(/[/\\:*?"<>|\x00-\x1f]/g, "_").replace(/^\.+/, "_")
);
var download2 = async (options2, session) => {
  const { api, log } = session;
  await checkFolder("path", options2.path);
  if (options2.cache) await checkFolder("cache", options2.cache.root);
  const found = await resolveTargets(options2.selector, session);
  const missing = settle(found.missing, options2.ifNoArtifactFound, log);
  const { targets } = found;
  let jobs;
  const { fetch: fetch2 } = options2;
  if (options2.cache && !(fetch2.kind === "archive" && fetch2.extract))
    log.debug(
      "cache: not used, it holds whole archives extracted (not artifact-path, paths or extract: false)"
    );
  const infoOf = (t) => info(t, fetch2.kind === "file" ? fileUrlOf(api, t, fetch2.path) : void 0);
  if (options2.dryRun)
    jobs = targets.map((t) => ({ ...infoOf(t), action: "would-download" }));
  else {
    const fetched = await fetchAll(api, targets, options2, {
      client: api.client,
      limits: options2.limits,
      log,
      progressEveryMs: session.progressEveryMs,
      said: /* @__PURE__ */ new Set(),
      signal: session.signal,
      cache: options2.cache
    });
    try {
      const absent = fetched.items.flatMap((f) => f.got.kind === "missing" ? [f.got] : []);
      missing.push(...settle(absent, options2.ifNoArtifactFound, log));
      jobs = await placeAll(fetched.items, infoOf);
    } catch (e) {
      await cleanUp(fetched);
      throw e;
    }
  }
  const downloaded = jobs.filter(isDownloaded);
  return resultOf(options2, jobs, missing, {
    pipelineId: found.pipelineId,
    downloadPath: options2.path,
    conflicts: options2.merge ? conflicts(downloaded, options2.path) : []
  });
};
function placeOf(target, options2, several) {
  const name = safeName(target.name);
  const zipName = several ? `${name}.zip` : "artifacts.zip";
  const whole = options2.fetch.kind === "archive" && !options2.fetch.extract;
  const dir = several && !options2.merge && !whole ? join4(options2.path, name) : options2.path;
  return { dir, zipName };
}
function wantedOf(api, target, options2) {
  const { label, name } = target;
  return {
    label,
    name,
    archiveUrl: target.archiveUrl,
    cacheKey: target.kind === "job" ? {
      host: new URL(options2.connection.gitlabUrl).host,
      project: target.project ?? options2.project,
      jobId: target.id
    } : void 0,
    fileUrl: (path) => fileUrlOf(api, target, path),
    // A job found by name was listed with an archive; one given by id or ref was not checked.
    absent: target.kind === "ref" ? (gitlab) => `no job ${JSON.stringify(name)} with artifacts in the newest successful pipeline of ${target.ref} or its child pipelines (${gitlab})` : target.pipelineId === void 0 ? (gitlab) => `${label}: ${gitlab}` : void 0
  };
}
async function fetchAll(api, targets, options2, ctx) {
  const strategy = strategyFor(options2.fetch);
  const done = { items: [], created: [] };
  const slots = [];
  try {
    await mapLimit(targets, options2.concurrency, async (target, i) => {
      const place = placeOf(target, options2, targets.length > 1);
      const made = await mkdir3(place.dir, { recursive: true });
      if (made) done.created.push(made, place.dir);
      slots[i] = { target, place, got: await strategy(wantedOf(api, target, options2), place, ctx) };
    });
  } catch (e) {
    done.items = slots.filter((s) => s !== void 0);
    await cleanUp(done);
    throw e;
  }
  done.items = slots.filter((s) => s !== void 0);
  return done;
}
async function placeAll(items, infoOf) {
  const results = [];
  for (let item = items[0]; item !== void 0; items.shift(), item = items[0]) {
    const { got, place, target } = item;
    if (got.kind === "missing") continue;
    let files;
    if (got.kind === "staged") {
      await commit(got.staged, place.dir);
      files = got.staged.files;
    } else {
      const to = join4(place.dir, ...got.name.split("/"));
      await mkdir3(dirname4(to), { recursive: true });
      await rename3(got.temp, to);
      unregisterTemporary(got.temp);
      files = [got.name];
    }
    results.push({
      ...infoOf(target),
      action: "downloaded",
      path: place.dir,
      files,
      bytes: got.bytes,
      ...got.sha256 === void 0 ? {} : { sha256: got.sha256 },
      cacheHit: got.kind === "staged" && got.cacheHit === true
    });
  }
  return results;
}
async function cleanUp(fetched) {
  for (const item of fetched.items) await drop(item.got);
  const deepest = [...new Set(fetched.created)].sort((a, b) => b.length - a.length);
  for (const dir of deepest) await removeIfEmpty(dir);
}
function conflicts(jobs, downloadPath) {
  const seen = /* @__PURE__ */ new Map();
  for (const j of jobs)
    for (const f of filesUnder(j, downloadPath)) seen.set(f, (seen.get(f) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([f]) => f);
}
async function checkFolder(input, path) {
  for (let p = path; ; p = dirname4(p)) {
    const found = await stat2(p).catch((e) => {
      if (e.code === "ENOENT" || e.code === "ENOTDIR") return void 0;
      throw new InputError(input, `${path} cannot be used: ${e.message}`);
    });
    if (found?.isDirectory()) {
      await access(p, constants3.W_OK | constants3.X_OK).catch(() => {
        throw new InputError(
          input,
          p === path ? `${path} is not writable for this run` : `${path} cannot be created: ${p} is not writable for this run`
        );
      });
      return;
    }
    if (found)
      throw new InputError(
        input,
        p === path ? `${path} is a file; give a folder` : `${path} lies under ${p}, which is a file`
      );
    if (dirname4(p) === p) return;
  }
}

// src/commands/keep.ts
var keep = (options2, session) => eachJob(options2, session, async (job) => {
  if (options2.dryRun) return { ...info(job), action: "would-keep" };
  const kept = await session.api.keep(job.id);
  session.log.info(
    `${job.label}: artifacts kept${kept.artifacts_expire_at ? ` until ${kept.artifacts_expire_at}` : " with no expiry"}`
  );
  return { ...info(job), expiresAt: kept.artifacts_expire_at, action: "kept" };
});

// src/commands/list.ts
var list = (options2, session) => {
  const said = /* @__PURE__ */ new Set();
  return eachJob(options2, session, async (job) => {
    const storage = await session.api.storageOf(job.id);
    if (!options2.entries) return { ...info(job), action: "listed", storage };
    const listing = await remoteListing(job, options2.entries.patterns, {
      client: session.api.client,
      log: session.log,
      said
    });
    if (listing)
      session.log.info(
        `${job.label}: ${listing.entries.length} entries, read with ${listing.transferred} bytes of its archive`
      );
    return {
      ...info(job),
      action: "listed",
      storage,
      ...listing ? { entries: listing.entries } : {}
    };
  });
};

// src/commands/url.ts
var PRINTED = {
  url: (job) => job.fileUrl ?? job.archiveUrl,
  id: (job) => job.id === void 0 ? void 0 : String(job.id),
  "web-url": (job) => job.webUrl || void 0
};
var url = async (options2, session) => {
  const { api, log } = session;
  const found = await resolveTargets(options2.selector, session);
  const missing = settle(found.missing, options2.ifNoArtifactFound, log);
  const { filePath } = options2;
  const fileUrl = (t) => filePath === void 0 ? void 0 : fileUrlOf(api, t, filePath);
  const jobs = found.targets.map((t) => ({ ...info(t, fileUrl(t)), action: "resolved" }));
  const lines = [];
  for (const job of jobs) {
    const line = PRINTED[options2.print](job);
    if (line === void 0)
      log.warn(
        `${job.name}: no ${options2.print === "id" ? "job id (GitLab's ref endpoint finds the job itself)" : "web URL (the project was given by id)"}`
      );
    else lines.push(line);
  }
  return resultOf(options2, jobs, missing, { pipelineId: found.pipelineId, lines });
};

// src/commands/index.ts
var COMMANDS = {
  download: download2,
  url,
  list,
  keep,
  delete: deleteArtifacts,
  "delete-project": deleteProject
};

// src/main.ts
async function run(options2, context) {
  const { log } = context;
  const { connection } = options2;
  const stop2 = new AbortController();
  const outer = context.signal;
  const relay = () => stop2.abort(outer?.reason);
  if (outer?.aborted) relay();
  outer?.addEventListener("abort", relay, { once: true });
  const { timeoutMs } = options2;
  const timer = timeoutMs === void 0 ? void 0 : setTimeout(
    () => stop2.abort(
      new Cancelled(
        `the run took longer than timeout (${timeoutMs / 1e3} s)`,
        `raise ${setting("timeout")} if the work is expected to take longer`
      )
    ),
    timeoutMs
  );
  const client = new GitLabClient({
    baseUrl: connection.gitlabUrl,
    token: connection.token,
    caFile: connection.caFile,
    retry: context.retry,
    userAgent: context.userAgent,
    onRetry: (message2) => log.warn(message2),
    onExchange: (line) => log.debug(line),
    stallMs: connection.stallMs,
    signal: stop2.signal
  });
  const session = {
    api: new GitLabApi(client, options2.project),
    log,
    poll: context.poll ?? DEFAULT_POLL,
    progressEveryMs: context.progressEveryMs ?? 5e3,
    signal: stop2.signal
  };
  try {
    return await dispatch(options2.mode, options2, session);
  } catch (e) {
    const why = stop2.signal.reason;
    if (!stop2.signal.aborted || !(why instanceof Cancelled)) throw e;
    throw new Cancelled(`${why.summary}, while ${client.activity}`, why.hint, { cause: e });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", relay);
  }
}
function dispatch(mode, options2, session) {
  const command = COMMANDS[mode];
  return command(options2, session);
}

// src/faces/errors.ts
function failure(e, as) {
  if (e instanceof InputError) return { message: e.message, exitCode: e.exitCode, input: e.input };
  if (e instanceof RunError) {
    const hint = e.hint === void 0 ? void 0 : spell(e.hint, as);
    return {
      message: hint ? `${e.summary}
  hint: ${hint}` : e.summary,
      exitCode: e.exitCode,
      ...hint ? { hint } : {}
    };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: `unexpected error: ${err.message}`, exitCode: 1, stack: err.stack };
}
function errorJson(f) {
  return {
    message: f.message,
    ...f.hint ? { hint: f.hint } : {},
    exit_code: f.exitCode,
    ...f.input ? { input: f.input } : {}
  };
}

// src/faces/gitlab.ts
import { writeFile as writeFile3 } from "node:fs/promises";
import { isAbsolute, relative as relative4, sep as sep4 } from "node:path";

// src/faces/outputs.ts
function manifest(result) {
  return result.jobs.map((j) => ({
    action: j.action,
    id: j.id ?? null,
    name: j.name,
    pipeline: j.pipelineId ?? null,
    status: j.status ?? null,
    web_url: j.webUrl,
    archive_url: j.archiveUrl,
    ...j.fileUrl === void 0 ? {} : { file_url: j.fileUrl },
    ...isDownloaded(j) ? { path: j.path, files: j.files, cache_hit: j.cacheHit } : {},
    bytes: j.bytes,
    ...isDownloaded(j) && j.sha256 !== void 0 ? { sha256: j.sha256 } : {},
    expires_at: j.expiresAt ?? null,
    ...j.action === "listed" ? { storage: j.storage } : {},
    ...j.action === "listed" && j.entries ? {
      entries: j.entries.map((e) => ({
        path: e.path,
        type: e.type,
        size: e.size,
        ...e.mode ? { mode: e.mode } : {},
        ...e.target !== void 0 ? { target: e.target } : {}
      }))
    } : {}
  }));
}
var RESULT_VERSION = 1;
function resultJson(outcome) {
  if (!("jobs" in outcome)) return { version: RESULT_VERSION, error: errorJson(outcome) };
  const r = outcome;
  return {
    version: RESULT_VERSION,
    mode: r.mode,
    dry_run: r.dryRun,
    pipeline_id: r.pipelineId ?? null,
    download_path: r.downloadPath ?? null,
    ...r.ref === void 0 ? {} : { ref: r.ref },
    found: r.found,
    jobs: manifest(r),
    missing: r.missing,
    conflicts: r.conflicts,
    ...r.note === void 0 ? {} : { note: r.note },
    ...r.lines === void 0 ? {} : { lines: r.lines }
  };
}
function outputs(result) {
  const downloaded = result.jobs.filter(isDownloaded);
  const path = result.downloadPath;
  const files = path === void 0 ? [] : downloaded.flatMap((j) => filesUnder(j, path));
  const [first] = result.jobs;
  const one = result.jobs.length === 1 && first && isDownloaded(first) ? first : void 0;
  const all = {
    "job-id": first?.id,
    "job-ids": result.jobs.map((j) => j.id ?? null),
    "job-urls": result.jobs.map((j) => j.webUrl),
    "web-url": first?.webUrl || void 0,
    "archive-url": first?.archiveUrl,
    "archive-urls": result.jobs.map((j) => j.archiveUrl),
    "file-url": first?.fileUrl,
    "file-urls": first?.fileUrl === void 0 ? void 0 : result.jobs.map((j) => j.fileUrl ?? null),
    "pipeline-id": result.pipelineId,
    "download-path": path,
    files,
    "file-count": files.length,
    bytes: result.jobs.reduce((n, j) => n + j.bytes, 0),
    sha256: one?.sha256,
    found: result.found,
    "cache-hit": downloaded.length > 0 ? downloaded.every((j) => j.cacheHit) : void 0,
    artifacts: manifest(result)
  };
  return Object.fromEntries(
    OUTPUT_NAMES.flatMap((n) => all[n] === void 0 ? [] : [[n, all[n]]])
  );
}
function outputText(name, value) {
  return OUTPUTS[name].type === "array" || typeof value === "object" ? JSON.stringify(value) : String(value);
}
function textOutputs(result) {
  const values = outputs(result);
  return OUTPUT_NAMES.flatMap((name) => {
    const value = values[name];
    return value === void 0 ? [] : [[name, outputText(name, value)]];
  });
}

// src/faces/gitlab.ts
var ESC = "\x1B";
var colours = (t) => !t.env.NO_COLOR && t.env.FORCE_COLOR !== "0" && (t.isTTY || t.env.GITLAB_CI === "true" || t.env.FORCE_COLOR !== void 0);
function jobLog(t, verbose) {
  const colour = colours(t);
  const paint = (code3, text2) => colour ? `${ESC}[${code3}m${text2}${ESC}[0m` : text2;
  const sections = t.env.GITLAB_CI === "true";
  let count = 0;
  return {
    info: (m) => t.write(`${m}
`),
    warn: (m) => t.write(`${paint("33", "warning:")} ${m}
`),
    debug: (m) => {
      if (verbose) t.write(`${paint("2", `debug: ${m}`)}
`);
    },
    group: async (title, body) => {
      if (!sections) {
        t.write(`${paint("1", title)}
`);
        return body();
      }
      const name = `pipeline_artifacts_${++count}`;
      const now = () => Math.floor(Date.now() / 1e3);
      t.write(
        `${ESC}[0Ksection_start:${now()}:${name}[collapsed=true]\r${ESC}[0K${paint("1", title)}
`
      );
      try {
        return await body();
      } finally {
        t.write(`${ESC}[0Ksection_end:${now()}:${name}\r${ESC}[0K
`);
      }
    }
  };
}
var DOTENV_OUTPUTS = /* @__PURE__ */ new Set([
  "job-id",
  "pipeline-id",
  "web-url",
  "archive-url",
  "file-url",
  "download-path",
  "file-count",
  "bytes",
  "sha256",
  "found"
]);
var DOTENV_VALUE = /^[^\s"'`#\\]*$/;
var DOTENV_MAX_BYTES = 5 * 1024;
function dotenv(result, prefix, manifestPath, base) {
  const local = (path) => {
    const rel = relative4(base, path);
    return rel.startsWith("..") || isAbsolute(rel) ? path : rel.split(sep4).join("/");
  };
  const values = textOutputs(result).filter(
    ([name]) => DOTENV_OUTPUTS.has(name)
  );
  if (manifestPath !== void 0) values.push(["manifest", local(manifestPath)]);
  const lines = [];
  const skipped = [];
  for (const [name, value] of values) {
    const key = `${prefix}${name.toUpperCase().replace(/-/g, "_")}`;
    if (!DOTENV_VALUE.test(value)) skipped.push(key);
    else lines.push(`${key}=${value}`);
  }
  const text2 = lines.length > 0 ? `${lines.join("\n")}
` : "";
  if (Buffer.byteLength(text2) > DOTENV_MAX_BYTES)
    throw new Error("the dotenv report would pass GitLab's 5 KB limit");
  return { text: text2, skipped };
}
async function writeReports(result, files, manifestJson, log) {
  if (files.manifest) await writeFile3(files.manifest, manifestJson);
  if (files.stepOutput) await writeFile3(files.stepOutput, stepOutputs(result), { flag: "a" });
  if (files.dotenv) {
    const report = dotenv(result, files.prefix, files.manifest, files.base);
    for (const key of report.skipped)
      log.warn(
        `${key} left out of the dotenv report: its value has spaces, quotes or newlines, which GitLab's dotenv does not allow (it is in the manifest)`
      );
    await writeFile3(files.dotenv, report.text);
  }
}
function stepOutputs(result) {
  return Object.entries(outputs(result)).map(([name, value]) => `${JSON.stringify({ name: name.replace(/-/g, "_"), value })}
`).join("");
}

// src/faces/summary.ts
var who = (j) => j.id === void 0 ? j.name : `${j.name} (job ${j.id}${j.pipelineId ? `, pipeline ${j.pipelineId}` : ""})`;
var VERB = {
  downloaded: "Fetched",
  "would-download": "Would fetch",
  listed: "Found",
  resolved: "Resolved",
  kept: "Kept",
  "would-keep": "Would keep",
  deleted: "Deleted",
  "would-delete": "Would delete"
};
function summary(result) {
  if (result.note) return result.note;
  if (result.lines) return result.lines.join("\n");
  if (!result.found) return `No artifacts found.${result.missing.map((m) => `
  ${m}`).join("")}`;
  const action = result.jobs[0]?.action ?? "downloaded";
  const verb = VERB[action];
  const bytes2 = result.jobs.reduce((n, j) => n + j.bytes, 0);
  const count = `${result.jobs.length} job${result.jobs.length === 1 ? "" : "s"}`;
  const downloaded = result.jobs.filter(isDownloaded);
  if (downloaded.length === 0) {
    const rows = result.jobs.map((j) => [
      j.name,
      j.id === void 0 ? "" : String(j.id),
      j.pipelineId === void 0 ? "" : String(j.pipelineId),
      j.status ?? "",
      formatBytes(j.bytes),
      j.expiresAt === void 0 ? "" : j.expiresAt ?? "never",
      j.action === "listed" ? j.storage : ""
    ]);
    const lines2 = [
      `${verb} the artifacts of ${count} (${formatBytes(bytes2)}):`,
      ...table(["job", "id", "pipeline", "status", "size", "expires", "storage"], rows)
    ];
    for (const j of result.jobs)
      if (j.action === "listed" && j.entries) {
        lines2.push(`${j.name}: ${j.entries.length} entr${j.entries.length === 1 ? "y" : "ies"}`);
        lines2.push(
          ...table(
            ["path", "type", "size", "mode", "target"],
            j.entries.map((e) => [e.path, e.type, String(e.size), e.mode ?? "", e.target ?? ""])
          )
        );
      }
    for (const m of result.missing) lines2.push(`  not found: ${m}`);
    return lines2.join("\n");
  }
  const files = downloaded.reduce((n, j) => n + j.files.length, 0);
  const lines = [
    `${verb} the artifacts of ${count} (${formatBytes(bytes2)}, ${files} file${files === 1 ? "" : "s"}) into ${result.downloadPath}`,
    ...downloaded.map(
      (j) => `  ${who(j)}: ${j.files.length} file${j.files.length === 1 ? "" : "s"}, ${formatBytes(j.bytes)}${j.sha256 ? `, sha256 ${j.sha256}` : ""}${j.cacheHit ? ", from the cache" : ""}`
    )
  ];
  if (result.ref)
    lines.push(
      `  (from the newest successful pipeline of ${result.ref}, not the running pipeline)`
    );
  for (const m of result.missing) lines.push(`  not fetched: ${m}`);
  for (const c of result.conflicts)
    lines.push(`  conflict: ${c} came from more than one job; the last one's copy is kept`);
  return lines.join("\n");
}
function table(header2, rows) {
  const used = header2.map((_, c) => rows.some((r) => (r[c] ?? "") !== ""));
  const cols = header2.map((h, c) => [h, ...rows.map((r) => r[c] ?? "")]).filter((_, c) => used[c]);
  const widths = cols.map((col) => Math.max(...col.map((v) => v.length)));
  const line = (i) => `  ${cols.map((col, c) => (col[i] ?? "").padEnd(widths[c] ?? 0)).join("  ").trimEnd()}`;
  return [0, ...rows.map((_, i) => i + 1)].map(line);
}

// src/faces/cli.ts
var VERSION = true ? "0.1.0" : "dev";
var SUBCOMMANDS = MODES;
function help(name, def) {
  const value = def.kind === "boolean" ? "[=true|false]" : LIST_KINDS.has(def.kind) ? " VALUE..." : " VALUE";
  const notes = [
    def.options ? `one${LIST_KINDS.has(def.kind) ? " or more" : ""} of ${def.options.join(", ")}` : "",
    LIST_KINDS.has(def.kind) ? "repeatable" : "",
    def.default === void 0 ? "" : `default ${def.default}`,
    def.env ? `from ${def.env.join(", ")}` : ""
  ].filter(Boolean);
  return `  --${name}${value}
      ${def.description}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}
function usage() {
  return [
    "pipeline-artifacts: download the artifacts of sibling jobs in a running GitLab pipeline, by job name",
    "",
    "Usage: pipeline-artifacts [download] --job NAME [--job NAME ...] [options]",
    "       pipeline-artifacts list|keep|delete --job NAME [options]",
    "       pipeline-artifacts delete-project --confirm PROJECT [options]",
    "       pipeline-artifacts --help | --version",
    "",
    "Options:",
    ...INPUT_NAMES.map((name) => help(name, INPUTS[name])),
    "",
    "Output:",
    ...CLI_FLAGS_NAMES.map((name) => help(name, CLI_FLAGS[name])),
    "",
    "A flag not given is read from PIPELINE_ARTIFACTS_INPUT_<NAME> (e.g. PIPELINE_ARTIFACTS_INPUT_JOB_ID),",
    "then from the CI variables named above. A flag of a list may be repeated (--status success",
    "--status failed) or hold several values, one a line or comma-separated.",
    "",
    "Exit codes: 0 done, 1 failed, 2 bad input (nothing was requested or written).",
    ""
  ].join("\n");
}
var CLI_FLAGS_NAMES = Object.keys(CLI_FLAGS);
var inputVariable = (name) => `PIPELINE_ARTIFACTS_INPUT_${name.toUpperCase().replace(/-/g, "_")}`;
function flagDef(name) {
  if (Object.hasOwn(INPUTS, name)) return INPUTS[name];
  if (Object.hasOwn(CLI_FLAGS, name)) return CLI_FLAGS[name];
  return void 0;
}
function normalise(argv2) {
  const out = [];
  for (let i = 0; i < argv2.length; i++) {
    const arg = argv2[i];
    const flag = /^--(no-)?([a-z-]+)$/.exec(arg);
    const def = flag ? flagDef(flag[2] ?? "") : void 0;
    if (!flag || !def) {
      out.push(arg);
      if (/^--[a-z-]+$/.test(arg) && flagDef(arg.slice(2)) && i + 1 < argv2.length)
        out.push(argv2[++i]);
      continue;
    }
    if (def.kind !== "boolean") {
      out.push(arg);
      continue;
    }
    const next = argv2[i + 1];
    if (flag[1]) out.push(`--${flag[2]}=false`);
    else if (next !== void 0 && !next.startsWith("-") && !SUBCOMMANDS.includes(next)) {
      out.push(`--${flag[2]}=${next}`);
      i++;
    } else out.push(`--${flag[2]}=true`);
  }
  return out;
}
async function cli(argv2, io) {
  const wantsJson = argv2.some((a) => a === "--json" || a === "--json=true");
  const fail = (f) => {
    io.stderr(`pipeline-artifacts: ${f.message}
`);
    if (wantsJson) io.stdout(`${JSON.stringify(resultJson(f), null, 2)}
`);
    return f.exitCode;
  };
  let parsed;
  try {
    parsed = parse(normalise(argv2));
  } catch (e) {
    return fail({
      message: `${e.message}
Run pipeline-artifacts --help for the options.`,
      exitCode: 2
    });
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage());
    return 0;
  }
  if (values.version) {
    io.stdout(`${VERSION}
`);
    return 0;
  }
  const command = positionals[0] ?? "download";
  if (!SUBCOMMANDS.includes(command) || positionals.length > 1)
    return fail({
      message: `unknown command ${JSON.stringify(positionals.join(" "))}; the commands are: ${SUBCOMMANDS.join(", ")}`,
      exitCode: 2
    });
  const raw2 = {};
  for (const name of INPUT_NAMES) {
    const v = values[name];
    if (v !== void 0) raw2[name] = v.join("\n");
    else if (io.env[inputVariable(name)]) raw2[name] = io.env[inputVariable(name)];
  }
  if (positionals[0] !== void 0) {
    if (raw2.mode !== void 0 && raw2.mode !== command)
      return fail({
        message: `the command ${command} and --mode ${raw2.mode} disagree; give one of them`,
        exitCode: 2,
        input: "mode"
      });
    raw2.mode = command;
  }
  const flag = (name) => values[name]?.at(-1);
  const json = parseBoolean(flag("json") ?? "false");
  const verboseFlag = parseBoolean(flag("verbose") ?? "false");
  if (json === void 0 || verboseFlag === void 0)
    return fail({
      message: `--${json === void 0 ? "json" : "verbose"} takes true or false`,
      exitCode: 2
    });
  const verbose = verboseFlag || io.env.CI_DEBUG_TRACE === "true";
  const log = jobLog({ write: io.stderr, env: io.env, isTTY: io.isTTY ?? false }, verbose);
  const prefix = flag("dotenv-prefix") ?? CLI_FLAGS["dotenv-prefix"].default;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix))
    return fail({
      message: `--dotenv-prefix ${JSON.stringify(prefix)} is not a variable name prefix; use letters, digits and _`,
      exitCode: 2
    });
  const file = (name) => {
    const value = flag(name);
    return value === void 0 ? void 0 : resolve2(io.cwd, value);
  };
  try {
    const result = await run(readOptions(raw2, io.env, io.cwd), {
      log,
      userAgent: `pipeline-artifacts/${VERSION}`,
      signal: io.signal
    });
    const text2 = `${JSON.stringify(resultJson(result), null, 2)}
`;
    await writeReports(
      result,
      {
        dotenv: file("dotenv"),
        prefix,
        manifest: file("manifest"),
        stepOutput: file("step-output"),
        base: io.cwd
      },
      text2,
      log
    );
    const said = summary(result);
    io.stdout(json ? text2 : said === "" ? "" : `${said}
`);
    return 0;
  } catch (e) {
    const byYaml = Object.keys(io.env).some((k) => k.startsWith("PIPELINE_ARTIFACTS_INPUT_"));
    const f = failure(e, byYaml ? "gitlab" : "cli");
    if (f.stack && verbose) io.stderr(`${f.stack}
`);
    return fail(f);
  }
}
function parse(argv2) {
  const flags = [...INPUT_NAMES, ...CLI_FLAGS_NAMES].map((name) => [
    name,
    { type: "string", multiple: true }
  ]);
  return parseArgs({
    args: argv2,
    allowPositionals: true,
    strict: true,
    options: {
      ...Object.fromEntries(flags),
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" }
    }
  });
}

// node_modules/@actions/core/lib/command.js
import * as os from "os";

// node_modules/@actions/core/lib/utils.js
function toCommandValue(input) {
  if (input === null || input === void 0) {
    return "";
  } else if (typeof input === "string" || input instanceof String) {
    return input;
  }
  return JSON.stringify(input);
}
function toCommandProperties(annotationProperties) {
  if (!Object.keys(annotationProperties).length) {
    return {};
  }
  return {
    title: annotationProperties.title,
    file: annotationProperties.file,
    line: annotationProperties.startLine,
    endLine: annotationProperties.endLine,
    col: annotationProperties.startColumn,
    endColumn: annotationProperties.endColumn
  };
}

// node_modules/@actions/core/lib/command.js
function issueCommand(command, properties, message2) {
  const cmd = new Command(command, properties, message2);
  process.stdout.write(cmd.toString() + os.EOL);
}
function issue(name, message2 = "") {
  issueCommand(name, {}, message2);
}
var CMD_STRING = "::";
var Command = class {
  constructor(command, properties, message2) {
    if (!command) {
      command = "missing.command";
    }
    this.command = command;
    this.properties = properties;
    this.message = message2;
  }
  toString() {
    let cmdStr = CMD_STRING + this.command;
    if (this.properties && Object.keys(this.properties).length > 0) {
      cmdStr += " ";
      let first = true;
      for (const key in this.properties) {
        if (this.properties.hasOwnProperty(key)) {
          const val = this.properties[key];
          if (val) {
            if (first) {
              first = false;
            } else {
              cmdStr += ",";
            }
            cmdStr += `${key}=${escapeProperty(val)}`;
          }
        }
      }
    }
    cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
    return cmdStr;
  }
};
function escapeData(s) {
  return toCommandValue(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s) {
  return toCommandValue(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/:/g, "%3A").replace(/,/g, "%2C");
}

// node_modules/@actions/core/lib/file-command.js
import * as crypto from "crypto";
import * as fs from "fs";
import * as os2 from "os";
function issueFileCommand(command, message2) {
  const filePath = process.env[`GITHUB_${command}`];
  if (!filePath) {
    throw new Error(`Unable to find environment variable for file command ${command}`);
  }
  if (!fs.existsSync(filePath)) {
    throw new Error(`Missing file at path: ${filePath}`);
  }
  fs.appendFileSync(filePath, `${toCommandValue(message2)}${os2.EOL}`, {
    encoding: "utf8"
  });
}
function prepareKeyValueMessage(key, value) {
  const delimiter = `ghadelimiter_${crypto.randomUUID()}`;
  const convertedValue = toCommandValue(value);
  if (key.includes(delimiter)) {
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  }
  if (convertedValue.includes(delimiter)) {
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  }
  return `${key}<<${delimiter}${os2.EOL}${convertedValue}${os2.EOL}${delimiter}`;
}

// node_modules/@actions/core/lib/core.js
import * as os4 from "os";

// node_modules/@actions/core/lib/summary.js
import { EOL as EOL3 } from "os";
import { constants as constants4, promises } from "fs";
var __awaiter2 = function(thisArg, _arguments, P, generator) {
  function adopt(value) {
    return value instanceof P ? value : new P(function(resolve3) {
      resolve3(value);
    });
  }
  return new (P || (P = Promise))(function(resolve3, reject) {
    function fulfilled(value) {
      try {
        step(generator.next(value));
      } catch (e) {
        reject(e);
      }
    }
    function rejected(value) {
      try {
        step(generator["throw"](value));
      } catch (e) {
        reject(e);
      }
    }
    function step(result) {
      result.done ? resolve3(result.value) : adopt(result.value).then(fulfilled, rejected);
    }
    step((generator = generator.apply(thisArg, _arguments || [])).next());
  });
};
var { access: access2, appendFile, writeFile: writeFile4 } = promises;
var SUMMARY_ENV_VAR = "GITHUB_STEP_SUMMARY";
var Summary = class {
  constructor() {
    this._buffer = "";
  }
  /**
   * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
   * Also checks r/w permissions.
   *
   * @returns step summary file path
   */
  filePath() {
    return __awaiter2(this, void 0, void 0, function* () {
      if (this._filePath) {
        return this._filePath;
      }
      const pathFromEnv = process.env[SUMMARY_ENV_VAR];
      if (!pathFromEnv) {
        throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
      }
      try {
        yield access2(pathFromEnv, constants4.R_OK | constants4.W_OK);
      } catch (_a) {
        throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
      }
      this._filePath = pathFromEnv;
      return this._filePath;
    });
  }
  /**
   * Wraps content in an HTML tag, adding any HTML attributes
   *
   * @param {string} tag HTML tag to wrap
   * @param {string | null} content content within the tag
   * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
   *
   * @returns {string} content wrapped in HTML element
   */
  wrap(tag, content2, attrs = {}) {
    const htmlAttrs = Object.entries(attrs).map(([key, value]) => ` ${key}="${value}"`).join("");
    if (!content2) {
      return `<${tag}${htmlAttrs}>`;
    }
    return `<${tag}${htmlAttrs}>${content2}</${tag}>`;
  }
  /**
   * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
   *
   * @param {SummaryWriteOptions} [options] (optional) options for write operation
   *
   * @returns {Promise<Summary>} summary instance
   */
  write(options2) {
    return __awaiter2(this, void 0, void 0, function* () {
      const overwrite = !!(options2 === null || options2 === void 0 ? void 0 : options2.overwrite);
      const filePath = yield this.filePath();
      const writeFunc = overwrite ? writeFile4 : appendFile;
      yield writeFunc(filePath, this._buffer, { encoding: "utf8" });
      return this.emptyBuffer();
    });
  }
  /**
   * Clears the summary buffer and wipes the summary file
   *
   * @returns {Summary} summary instance
   */
  clear() {
    return __awaiter2(this, void 0, void 0, function* () {
      return this.emptyBuffer().write({ overwrite: true });
    });
  }
  /**
   * Returns the current summary buffer as a string
   *
   * @returns {string} string of summary buffer
   */
  stringify() {
    return this._buffer;
  }
  /**
   * If the summary buffer is empty
   *
   * @returns {boolen} true if the buffer is empty
   */
  isEmptyBuffer() {
    return this._buffer.length === 0;
  }
  /**
   * Resets the summary buffer without writing to summary file
   *
   * @returns {Summary} summary instance
   */
  emptyBuffer() {
    this._buffer = "";
    return this;
  }
  /**
   * Adds raw text to the summary buffer
   *
   * @param {string} text content to add
   * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
   *
   * @returns {Summary} summary instance
   */
  addRaw(text2, addEOL = false) {
    this._buffer += text2;
    return addEOL ? this.addEOL() : this;
  }
  /**
   * Adds the operating system-specific end-of-line marker to the buffer
   *
   * @returns {Summary} summary instance
   */
  addEOL() {
    return this.addRaw(EOL3);
  }
  /**
   * Adds an HTML codeblock to the summary buffer
   *
   * @param {string} code content to render within fenced code block
   * @param {string} lang (optional) language to syntax highlight code
   *
   * @returns {Summary} summary instance
   */
  addCodeBlock(code3, lang) {
    const attrs = Object.assign({}, lang && { lang });
    const element = this.wrap("pre", this.wrap("code", code3), attrs);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML list to the summary buffer
   *
   * @param {string[]} items list of items to render
   * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
   *
   * @returns {Summary} summary instance
   */
  addList(items, ordered = false) {
    const tag = ordered ? "ol" : "ul";
    const listItems = items.map((item) => this.wrap("li", item)).join("");
    const element = this.wrap(tag, listItems);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML table to the summary buffer
   *
   * @param {SummaryTableCell[]} rows table rows
   *
   * @returns {Summary} summary instance
   */
  addTable(rows) {
    const tableBody = rows.map((row) => {
      const cells = row.map((cell) => {
        if (typeof cell === "string") {
          return this.wrap("td", cell);
        }
        const { header: header2, data, colspan, rowspan } = cell;
        const tag = header2 ? "th" : "td";
        const attrs = Object.assign(Object.assign({}, colspan && { colspan }), rowspan && { rowspan });
        return this.wrap(tag, data, attrs);
      }).join("");
      return this.wrap("tr", cells);
    }).join("");
    const element = this.wrap("table", tableBody);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds a collapsable HTML details element to the summary buffer
   *
   * @param {string} label text for the closed state
   * @param {string} content collapsable content
   *
   * @returns {Summary} summary instance
   */
  addDetails(label, content2) {
    const element = this.wrap("details", this.wrap("summary", label) + content2);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML image tag to the summary buffer
   *
   * @param {string} src path to the image you to embed
   * @param {string} alt text description of the image
   * @param {SummaryImageOptions} options (optional) addition image attributes
   *
   * @returns {Summary} summary instance
   */
  addImage(src, alt, options2) {
    const { width, height } = options2 || {};
    const attrs = Object.assign(Object.assign({}, width && { width }), height && { height });
    const element = this.wrap("img", null, Object.assign({ src, alt }, attrs));
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML section heading element
   *
   * @param {string} text heading text
   * @param {number | string} [level=1] (optional) the heading level, default: 1
   *
   * @returns {Summary} summary instance
   */
  addHeading(text2, level) {
    const tag = `h${level}`;
    const allowedTag = ["h1", "h2", "h3", "h4", "h5", "h6"].includes(tag) ? tag : "h1";
    const element = this.wrap(allowedTag, text2);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML thematic break (<hr>) to the summary buffer
   *
   * @returns {Summary} summary instance
   */
  addSeparator() {
    const element = this.wrap("hr", null);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML line break (<br>) to the summary buffer
   *
   * @returns {Summary} summary instance
   */
  addBreak() {
    const element = this.wrap("br", null);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML blockquote to the summary buffer
   *
   * @param {string} text quote text
   * @param {string} cite (optional) citation url
   *
   * @returns {Summary} summary instance
   */
  addQuote(text2, cite) {
    const attrs = Object.assign({}, cite && { cite });
    const element = this.wrap("blockquote", text2, attrs);
    return this.addRaw(element).addEOL();
  }
  /**
   * Adds an HTML anchor tag to the summary buffer
   *
   * @param {string} text link text/content
   * @param {string} href hyperlink
   *
   * @returns {Summary} summary instance
   */
  addLink(text2, href) {
    const element = this.wrap("a", text2, { href });
    return this.addRaw(element).addEOL();
  }
};
var _summary = new Summary();
var summary2 = _summary;

// node_modules/@actions/core/lib/platform.js
import os3 from "os";

// node_modules/@actions/io/lib/io-util.js
import * as fs2 from "fs";
var { chmod, copyFile: copyFile2, lstat: lstat3, mkdir: mkdir4, open: open3, readdir: readdir3, rename: rename4, rm: rm4, rmdir: rmdir2, stat: stat3, symlink: symlink3, unlink } = fs2.promises;
var IS_WINDOWS = process.platform === "win32";
var READONLY = fs2.constants.O_RDONLY;

// node_modules/@actions/exec/lib/toolrunner.js
var IS_WINDOWS2 = process.platform === "win32";

// node_modules/@actions/core/lib/platform.js
var platform = os3.platform();
var arch = os3.arch();

// node_modules/@actions/core/lib/core.js
var __awaiter3 = function(thisArg, _arguments, P, generator) {
  function adopt(value) {
    return value instanceof P ? value : new P(function(resolve3) {
      resolve3(value);
    });
  }
  return new (P || (P = Promise))(function(resolve3, reject) {
    function fulfilled(value) {
      try {
        step(generator.next(value));
      } catch (e) {
        reject(e);
      }
    }
    function rejected(value) {
      try {
        step(generator["throw"](value));
      } catch (e) {
        reject(e);
      }
    }
    function step(result) {
      result.done ? resolve3(result.value) : adopt(result.value).then(fulfilled, rejected);
    }
    step((generator = generator.apply(thisArg, _arguments || [])).next());
  });
};
var ExitCode;
(function(ExitCode2) {
  ExitCode2[ExitCode2["Success"] = 0] = "Success";
  ExitCode2[ExitCode2["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
function setSecret(secret) {
  issueCommand("add-mask", {}, secret);
}
function getInput(name, options2) {
  const val = process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] || "";
  if (options2 && options2.required && !val) {
    throw new Error(`Input required and not supplied: ${name}`);
  }
  if (options2 && options2.trimWhitespace === false) {
    return val;
  }
  return val.trim();
}
function setOutput(name, value) {
  const filePath = process.env["GITHUB_OUTPUT"] || "";
  if (filePath) {
    return issueFileCommand("OUTPUT", prepareKeyValueMessage(name, value));
  }
  process.stdout.write(os4.EOL);
  issueCommand("set-output", { name }, toCommandValue(value));
}
function setFailed(message2) {
  process.exitCode = ExitCode.Failure;
  error(message2);
}
function debug(message2) {
  issueCommand("debug", {}, message2);
}
function error(message2, properties = {}) {
  issueCommand("error", toCommandProperties(properties), message2 instanceof Error ? message2.toString() : message2);
}
function warning(message2, properties = {}) {
  issueCommand("warning", toCommandProperties(properties), message2 instanceof Error ? message2.toString() : message2);
}
function info2(message2) {
  process.stdout.write(message2 + os4.EOL);
}
function startGroup(name) {
  issue("group", name);
}
function endGroup() {
  issue("endgroup");
}
function group(name, fn) {
  return __awaiter3(this, void 0, void 0, function* () {
    startGroup(name);
    let result;
    try {
      result = yield fn();
    } finally {
      endGroup();
    }
    return result;
  });
}

// src/faces/github.ts
async function github(env, signal) {
  const raw2 = {};
  for (const name of INPUT_NAMES) raw2[name] = getInput(name);
  const log = {
    info: (m) => info2(m),
    warn: (m) => warning(m),
    debug: (m) => debug(m),
    group: (title, body) => group(title, body)
  };
  try {
    const options2 = readOptions(raw2, env);
    setSecret(options2.connection.token.value);
    const result = await run(options2, {
      log,
      userAgent: "pipeline-artifacts (action)",
      signal
    });
    for (const [name, value] of textOutputs(result)) setOutput(name, value);
    if (env.GITHUB_STEP_SUMMARY) await writeSummary(result);
  } catch (e) {
    const f = failure(e, "github");
    if (f.stack) debug(f.stack);
    setFailed(f.message);
    process.exitCode = f.exitCode;
  }
}
async function writeSummary(result) {
  const summary3 = summary2.addHeading("pipeline-artifacts", 3);
  if (result.found)
    summary3.addTable([
      [
        { data: "job", header: true },
        { data: "pipeline", header: true },
        { data: "files", header: true },
        { data: "size", header: true },
        { data: "sha256", header: true }
      ],
      ...result.jobs.map((j) => [
        `<a href="${j.webUrl}">${escape(j.name)}</a>${j.id === void 0 ? "" : ` (${j.id})`}`,
        String(j.pipelineId ?? ""),
        isDownloaded(j) ? String(j.files.length) : j.action,
        formatBytes(j.bytes),
        isDownloaded(j) && j.sha256 ? `<code>${j.sha256.slice(0, 12)}</code>` : ""
      ])
    ]);
  else summary3.addRaw("No artifacts fetched.", true);
  for (const m of result.missing) summary3.addRaw(`Not fetched: ${escape(m)}`, true);
  for (const c of result.conflicts)
    summary3.addRaw(`Conflict: ${escape(c)} came from more than one job`, true);
  await summary3.write();
}
var escape = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// src/index.ts
setFlagsFromString2("--semi-space-growth-factor=1");
var GRACE_MS = 1e4;
var SIGNALS = { SIGTERM: 15, SIGINT: 2 };
var stop = new AbortController();
var signalled;
for (const [name, number] of Object.entries(SIGNALS))
  process.once(name, () => {
    signalled = number;
    stop.abort(new Cancelled(`stopped by ${name}`));
    setTimeout(() => {
      removeTemporariesSync();
      process.exit(128 + number);
    }, GRACE_MS).unref();
  });
var argv = process.argv.slice(2);
var code2;
if (argv.length === 0 && process.env.GITHUB_ACTIONS === "true") {
  await github(process.env, stop.signal);
  code2 = typeof process.exitCode === "number" ? process.exitCode : 0;
} else {
  code2 = await cli(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stderr.isTTY,
    signal: stop.signal
  });
}
removeTemporariesSync();
process.exit(signalled === void 0 ? code2 : 128 + signalled);
